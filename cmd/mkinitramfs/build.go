package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/goinit/goinit/internal/build"
)

// errHelpShown ends a run after -h printed the usage.
var errHelpShown = errors.New("help shown")

const buildUsage = `Usage:
  mkinitramfs -o FILE [-k KVER] [--moddir DIR] [--modules m1,m2] [--nics generic|host|none]
              [--roots all|nfs,aoe,nbd,iscsi,local]
              [--compress zstd|gzip|xz|lz4|none] [--module-compress zstd|none]
              [--busybox PATH|auto|none] [--init PATH]
              [--firmware DIR] [--iscsi-secrets FILE] [--quiet] [--verbose]
  mkinitramfs ls FILE
  mkinitramfs pxelinux --tftp-root DIR --kernel VMLINUZ --initrd IMG --root ROOT [flags]
  mkinitramfs --version

Builds a newc initramfs whose /init is goinit, with the kernel modules (and their
dependencies and firmware) for root on NFS, AoE, NBD, iSCSI or a local disk, and
Ethernet drivers as --nics says.

Examples:
  mkinitramfs -o /boot/initrd.img-$(uname -r)
  mkinitramfs -o initrd.img -k 6.1.0-56-amd64 --nics host --busybox none
  mkinitramfs -o initrd.img --nics host --roots nfs        # this host's NIC, NFS roots only
  mkinitramfs -o initrd.img --modules e1000e,igb --compress xz --verbose
  SOURCE_DATE_EPOCH=1700000000 mkinitramfs -o initrd.img    # reproducible timestamps
  mkinitramfs ls initrd.img

Flags:
`

func runBuild(args []string) error {
	var cfg build.Config
	var modules string
	var showVersion bool
	fs := flag.NewFlagSet("mkinitramfs", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.Output, "o", "", "write the image to `FILE` (required)")
	fs.StringVar(&cfg.KernelVersion, "k", "", "build for kernel release `KVER` (default: the running kernel if installed, else the newest)")
	fs.StringVar(&cfg.ModulesDir, "moddir", "/lib/modules", "base `DIR` of the module trees")
	fs.StringVar(&modules, "modules", "", "comma-separated `list` of extra modules or aliases")
	fs.StringVar(&cfg.NICs, "nics", build.NICsGeneric, "Ethernet drivers: generic (all), host (this machine's NICs) or none")
	fs.StringVar(&cfg.Compress, "compress", "zstd", "compression: zstd, gzip, xz, lz4 or none")
	fs.StringVar(&cfg.Roots, "roots", "all", "root types to carry modules for: all, or a `list` of nfs, aoe, nbd, iscsi, local")
	fs.StringVar(&cfg.ModuleCompress, "module-compress", "zstd", "pack each module: zstd (goinit unpacks only what it loads) or none")
	fs.StringVar(&cfg.BusyboxPath, "busybox", build.BusyboxAuto, "`PATH` of a static busybox, auto or none")
	fs.StringVar(&cfg.GoinitPath, "init", "", "`PATH` of goinit (default: beside mkinitramfs, or ../lib/goinit/goinit)")
	fs.StringVar(&cfg.FirmwareDir, "firmware", "/lib/firmware", "`DIR` to take firmware from")
	fs.StringVar(&cfg.ISCSISecrets, "iscsi-secrets", "", "embed iSCSI CHAP credentials from `FILE` (mode 0600 in the image)")
	fs.BoolVar(&cfg.Quiet, "quiet", false, "print nothing but errors")
	fs.BoolVar(&cfg.Verbose, "verbose", false, "list the modules and firmware, show progress")
	fs.BoolVar(&showVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(os.Stdout, fs)
			return errHelpShown
		}
		return usagef("%v (see mkinitramfs -h)", err)
	}
	if showVersion {
		fmt.Println("mkinitramfs", version)
		return nil
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: flags only, or the subcommand ls (see mkinitramfs -h)", fs.Arg(0))
	}
	if modules != "" {
		cfg.ExtraModules = strings.Split(modules, ",")
	}
	if cfg.Quiet && cfg.Verbose {
		return usagef("--quiet and --verbose exclude each other")
	}
	if err := cfg.Check(); err != nil {
		return usageError{err}
	}
	cfg.Log = os.Stderr
	if cfg.Verbose || isTerminal(os.Stderr) {
		cfg.Progress = os.Stderr
	}
	_, err := build.Build(cfg)
	return err
}

func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, buildUsage)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
