package boot

import (
	"os"
	"os/exec"
	"syscall"
)

// shellPath returns the shell in the initramfs, or "".
func shellPath() string {
	for _, p := range []string{"/bin/sh", "/bin/ash", "/bin/busybox"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// runShell runs an interactive shell on the console and waits for it to exit.
func (b *Boot) runShell(sh string) {
	tty, err := os.OpenFile("/dev/console", os.O_RDWR, 0)
	if err != nil {
		b.Log.Printf("cannot open /dev/console for the shell: %v", err)
		return
	}
	defer tty.Close()
	args := []string{sh}
	if sh == "/bin/busybox" {
		args = []string{sh, "sh"}
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Args = args
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.Env = []string{"PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/root", "TERM=linux", "PS1=(goinit) \\w # "}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Run(); err != nil {
		b.Log.Printf("shell ended: %v", err)
	}
}

// breakpoint stops at a named stage when rd.break (or INIT_DEBUG=1 for pre-switch) asks for it:
// it prints the state so far and runs a shell; the boot goes on when the shell exits.
func (b *Boot) breakpoint(stage string) error {
	if !b.Params.BreakAt(stage) {
		return nil
	}
	b.Log.Printf("rd.break=%s: stopping before %s", stage, stageText[stage])
	b.Log.Raw(b.stateReport())
	sh := shellPath()
	if sh == "" {
		b.Log.Printf("no shell in this image (build it with mkinitramfs --busybox auto); going on")
		return nil
	}
	b.Log.Printf("starting a shell; exit it to continue the boot")
	b.runShell(sh)
	b.Log.Printf("shell exited; continuing the boot")
	return nil
}

var stageText = map[string]string{
	"pre-network": "bringing up the network",
	"pre-mount":   "attaching and mounting the root",
	"pre-overlay": "stacking the overlay",
	"pre-switch":  "switching to the real root",
}

// stateReport is what the debug shell shows first: settings, network, mounts and the timeline,
// every line within 80 columns.
func (b *Boot) stateReport() string {
	s := "== settings ==\n" + b.Params.String() + "\n"
	s += "== network ==\n" + networkReport(b.net)
	if m, err := os.ReadFile("/proc/mounts"); err == nil {
		s += "== mounts ==\n" + mountsReport(string(m))
	}
	s += "== timeline ==\n" + b.TL.Table()
	return s
}
