// Command mkinitramfs builds the initramfs that boots goinit, and lists images.
//
//	mkinitramfs -o FILE [flags]   build an image
//	mkinitramfs ls FILE           list an image's records
//	mkinitramfs pxelinux …        write a PXELINUX config and the boot files into a TFTP root
package main

import (
	"errors"
	"fmt"
	"os"
)

// version is set at link time: -ldflags "-X main.version=…".
var version = "dev"

// usageError is a mistake on the command line: exit code 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// exitStatusHelp ends every -h text (the build's and each subcommand's).
const exitStatusHelp = `
Exit status:
  0  success, or help shown
  1  failed: one line on stderr says what went wrong and how to fix it
  2  bad usage: an unknown flag, a missing or invalid argument
`

func main() {
	os.Exit(run(os.Args[1:]))
}

// run dispatches on the subcommand and maps errors to exit codes: 0 ok, 1 failed, 2 usage.
func run(args []string) int {
	var err error
	switch {
	case len(args) > 0 && args[0] == "ls":
		err = runLs(args[1:])
	case len(args) > 0 && args[0] == "pxelinux":
		err = runPxelinux(args[1:])
	default:
		err = runBuild(args)
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, errHelpShown) {
		fmt.Print(exitStatusHelp)
		return 0
	}
	fmt.Fprintf(os.Stderr, "mkinitramfs: %v\n", err)
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}
