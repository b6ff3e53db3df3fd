package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// guest is one boot of the diskless client.
type guest struct {
	ns, kernel, initrd string
	append             string // kernel parameters after console=ttyS0
	interactive        bool   // console input from the terminal; Ctrl-C ends QEMU
	timeout            time.Duration
	logPath            string // a copy of the console
}

// qemuArgs is QEMU's command line: TCG (KVM hangs on these machines), the serial console on
// stdio, a virtio NIC on the namespace's tap0, and -no-reboot so a power-off or a reboot after
// a failed boot ends QEMU.
func qemuArgs(g guest) []string {
	signal := "off"
	if g.interactive {
		signal = "on"
	}
	return []string{
		"qemu-system-x86_64", "-accel", "tcg", "-m", "512", "-smp", "1", "-nodefaults",
		"-display", "none", "-monitor", "none", "-no-reboot",
		"-chardev", "stdio,id=con0,signal=" + signal, "-serial", "chardev:con0",
		"-kernel", g.kernel, "-initrd", g.initrd,
		"-append", "console=ttyS0 " + g.append,
		"-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
		"-device", "virtio-net-pci,netdev=n0,mac=" + guestMAC,
	}
}

// bootResult is what one boot showed.
type bootResult struct {
	upLine  string        // the guest's "diskless client is up: …" line, if it came
	upAfter time.Duration // from QEMU's start to that line
	total   time.Duration // from QEMU's start to its exit
}

// bootGuest runs QEMU in the namespace, copies the console to stdout as it comes, and returns when
// QEMU exits (the guest powers off), the timeout passes or ctx ends (then QEMU is killed).
func bootGuest(ctx context.Context, g guest) (bootResult, error) {
	var res bootResult
	argv := append([]string{"ip", "netns", "exec", g.ns}, qemuArgs(g)...)
	logFile, err := os.Create(g.logPath)
	if err != nil {
		return res, fmt.Errorf("boot: %w", err)
	}
	defer logFile.Close()
	outR, outW, err := os.Pipe()
	if err != nil {
		return res, fmt.Errorf("boot: %w", err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout = outW
	var stderr strings.Builder
	cmd.Stderr = &stderr
	var inW *os.File
	if g.interactive {
		// Keep QEMU in the terminal's process group so it may read the terminal; Ctrl-C
		// reaches it (signal=on) and the demo alike.
		cmd.Stdin = os.Stdin
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	} else {
		var inR *os.File
		if inR, inW, err = os.Pipe(); err != nil {
			outR.Close()
			outW.Close()
			return res, fmt.Errorf("boot: %w", err)
		}
		defer inW.Close()
		cmd.Stdin = inR
		defer inR.Close()
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		outR.Close()
		outW.Close()
		return res, fmt.Errorf("boot: start %s: %w", argv[4], err)
	}
	outW.Close()
	up := make(chan string, 1)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		copyConsole(outR, io.MultiWriter(os.Stdout, logFile), func(line string) {
			if i := strings.Index(line, upMarker); i >= 0 {
				select {
				case up <- strings.TrimSpace(line[i:]):
				default:
				}
			}
		})
		outR.Close()
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	var timeout <-chan time.Time
	if g.timeout > 0 {
		t := time.NewTimer(g.timeout)
		defer t.Stop()
		timeout = t.C
	}
	var waitErr error
	for done := false; !done; {
		select {
		case l := <-up:
			res.upLine, res.upAfter = l, time.Since(start)
		case waitErr = <-exited:
			done = true
		case <-timeout:
			cmd.Process.Kill() //nolint:errcheck // it may have exited just now
			<-exited
			<-readDone
			return res, fmt.Errorf("boot: the client did not power off within %s; its console is above", g.timeout)
		case <-ctx.Done():
			cmd.Process.Kill() //nolint:errcheck
			<-exited
			<-readDone
			return res, ctx.Err()
		}
	}
	res.total = time.Since(start)
	select {
	case <-readDone:
	case <-time.After(5 * time.Second):
	}
	select {
	case l := <-up:
		res.upLine, res.upAfter = l, res.total
	default:
	}
	if res.upLine == "" {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			msg = "; QEMU said: " + msg
		}
		return res, fmt.Errorf("boot: QEMU ended (%v) before the client printed %q; goinit's messages above say why%s", exitText(waitErr), upMarker, msg)
	}
	return res, nil
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// copyConsole copies the console to w as it comes and calls line for every complete line.
func copyConsole(r io.Reader, w io.Writer, line func(string)) {
	var pending []byte
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			w.Write(buf[:n]) //nolint:errcheck // the console copy is best effort
			for _, c := range buf[:n] {
				switch {
				case c == '\n':
					line(string(pending))
					pending = pending[:0]
				case len(pending) < 4096:
					pending = append(pending, c)
				}
			}
		}
		if err != nil {
			if len(pending) > 0 {
				line(string(pending))
			}
			return
		}
	}
}
