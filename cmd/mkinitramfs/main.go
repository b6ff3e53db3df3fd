// Command mkinitramfs builds the initramfs that boots goinit, and lists images.
//
//	mkinitramfs -o FILE [flags]   build an image
//	mkinitramfs ls FILE           list an image's records
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

func main() {
	os.Exit(run(os.Args[1:]))
}

// run dispatches on the subcommand and maps errors to exit codes: 0 ok, 1 failed, 2 usage.
func run(args []string) int {
	var err error
	switch {
	case len(args) > 0 && args[0] == "ls":
		err = runLs(args[1:])
	default:
		// Later: case "pxelinux".
		err = runBuild(args)
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, errHelpShown) {
		return 0
	}
	fmt.Fprintf(os.Stderr, "mkinitramfs: %v\n", err)
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}
