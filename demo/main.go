// Command demo is `make demo`: it builds a small busybox root filesystem and an initramfs with
// mkinitramfs, starts DHCP (dnsmasq), NFS (rpcbind + nfs-ganesha) and AoE (vblade) servers in a
// private network namespace, and boots a diskless QEMU client twice, from NFS and from AoE, each
// time with a RAM overlay on the read-only root. It removes everything it made when it ends, also
// after Ctrl-C. It needs root and the packages tests/deps.sh installs.
//
//	make demo                    # deps, build, then out/demo
//	DEMO_INTERACTIVE=1 make demo # a shell on the client instead of powering it off
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const usage = `Usage: make demo        (as root, from the repository)
       out/demo [-k KVER] [-shell] [-timeout DURATION]

Boots a diskless QEMU client from the network with goinit, twice: from NFS
(root=/dev/nfs nfsroot=10.99.0.1:/export,ro,nolock ip=dhcp AUFS=1), then from
ATA over Ethernet (aoeroot=e7.1 ip=dhcp AUFS=1). The servers (dnsmasq, rpcbind
with nfs-ganesha, vblade) run in a private network namespace goinit-demo-<pid>
with a tap device 10.99.0.1/24; nothing outside it is touched. Everything is
removed at the end, also after Ctrl-C.

Examples:
  make demo
  DEMO_INTERACTIVE=1 make demo       # a shell on the client; 'exit' powers it off
  out/demo -k 6.1.0-56-amd64 -timeout 5m

Exit status: 0 both boots reached the client, 1 a step failed (the message
says which and how to fix it), 2 bad usage, 130 interrupted.

Flags:
`

// options are the demo's flags.
type options struct {
	kver        string
	interactive bool
	timeout     time.Duration
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.kver, "k", "", "boot kernel `KVER` (default: the newest /boot/vmlinuz-* with modules)")
	fs.BoolVar(&o.interactive, "shell", os.Getenv("DEMO_INTERACTIVE") == "1", "offer a shell on the client (default from DEMO_INTERACTIVE=1)")
	fs.DurationVar(&o.timeout, "timeout", 4*time.Minute, "give up on a boot after this `DURATION` (not with -shell)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Print(usage)
			fs.SetOutput(os.Stdout)
			fs.PrintDefaults()
		}
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q: flags only (see out/demo -h)", fs.Arg(0))
	}
	if o.timeout <= 0 {
		return o, fmt.Errorf("-timeout %s: want a positive duration, e.g. -timeout 5m", o.timeout)
	}
	return o, nil
}

func run(args []string) int {
	o, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		return 2
	}
	ctx, stop := interruptContext()
	defer stop()
	var c cleanups
	began := time.Now()
	acts, err := demo(ctx, o, &c)
	heading("cleaning up: servers, namespace, temp files")
	if n := c.run(); n == 0 {
		say("    all gone")
	}
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(os.Stderr, "demo: interrupted after %s; everything the demo started is stopped and removed\n", since(began))
			return 130
		}
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		return 1
	}
	heading("the demo is over after %s", since(began))
	for _, a := range acts {
		say("    %-4s  up %4.1f s after QEMU started: %s", a.name, a.res.upAfter.Seconds(), a.res.upLine)
	}
	say("")
	say("    Next: README.md shows how to build an initramfs for your own kernel (out/mkinitramfs -h)")
	say("    and docs/cmdline.md every kernel parameter goinit reads.")
	return 0
}

// interruptContext is cancelled by the first SIGINT, SIGTERM or SIGHUP; later ones only say that
// the cleanup is under way (it always runs to the end).
func interruptContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		first := true
		for s := range sigs {
			if first {
				fmt.Fprintf(os.Stderr, "\ndemo: %v: stopping QEMU and the servers, removing the namespace and temp files\n", s)
				cancel()
				first = false
				continue
			}
			fmt.Fprintln(os.Stderr, "demo: still cleaning up, one moment")
		}
	}()
	return ctx, func() { signal.Stop(sigs); cancel() }
}

// say prints a progress line on stdout.
func say(format string, args ...any) {
	fmt.Printf(format+"\n", args...)
}

// heading prints a step's title: "==> building the root filesystem".
func heading(format string, args ...any) {
	fmt.Printf("\n==> "+format+"\n", args...)
}

func since(t time.Time) string {
	return time.Since(t).Round(100 * time.Millisecond).String()
}

// shortArgs joins argv for display, with dir shown as $DEMO.
func shortArgs(argv []string, dir string) string {
	return strings.ReplaceAll(strings.Join(argv, " "), dir, "$DEMO")
}
