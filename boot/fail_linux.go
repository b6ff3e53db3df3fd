package boot

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goinit/goinit/internal/hint"
)

const rule = "------------------------------------------------------------"

// Fail is the failure path. It never returns: it prints what failed and why, offers a shell when
// one is allowed and present, then reboots after panic= seconds.
func (b *Boot) Fail(err error) {
	stage, step := "", b.current
	var se *StepError
	if errors.As(err, &se) {
		stage, step = se.Stage, se.Step
		err = se.Err
	}
	b.Log.Printf("%s", rule)
	if stage != "" {
		b.Log.Printf("BOOT FAILED in stage %q, step: %s", stage, step)
	} else {
		b.Log.Printf("BOOT FAILED during: %s", step)
	}
	b.Log.Printf("error: %v", err)
	for _, h := range hint.All(err) {
		b.Log.Printf("hint: %s", h)
	}
	if b.coldplug != nil && len(driverless(b.coldplug.Unmatched)) > 0 {
		b.Log.Printf("devices that found no driver in this image (modalias):")
		for _, d := range driverless(b.coldplug.Unmatched) {
			b.Log.Printf("  %s", d.Modalias)
		}
	}
	b.Log.Printf("%s", rule)
	if b.TL != nil && b.Params != nil && b.Params.Debug {
		b.Log.Raw(b.TL.Table())
	}
	if b.shellAllowed() {
		if sh := shellPath(); sh != "" {
			b.Log.Printf("starting a shell (rd.shell); exit it to reboot")
			b.runShell(sh)
		} else {
			b.Log.Printf("a shell was asked for, but this image has none (build it with mkinitramfs --busybox auto)")
		}
	}
	b.rebootAfterPanic()
}

func (b *Boot) shellAllowed() bool {
	if b.Params != nil {
		return b.Params.Shell
	}
	// The command line did not parse: look for the words directly.
	raw, _ := os.ReadFile("/proc/cmdline")
	for _, w := range strings.Fields(string(raw)) {
		if w == "rd.shell" || w == "rd.shell=1" || w == "INIT_DEBUG=1" {
			return true
		}
	}
	return false
}

// panicSeconds is the panic= value, also when the command line did not parse.
func (b *Boot) panicSeconds() int {
	if b.Params != nil {
		return b.Params.Panic
	}
	raw, _ := os.ReadFile("/proc/cmdline")
	for _, w := range strings.Fields(string(raw)) {
		if v, ok := strings.CutPrefix(w, "panic="); ok {
			var n int
			if _, err := fmt.Sscanf(v, "%d", &n); err == nil {
				return n
			}
		}
	}
	return 10
}

func (b *Boot) rebootAfterPanic() {
	n := b.panicSeconds()
	if n == 0 {
		b.Log.Printf("panic=0: not rebooting; this machine stays here until it is reset")
		for {
			time.Sleep(time.Hour)
		}
	}
	if n > 0 {
		b.Log.Printf("rebooting in %d s (panic=%d)", n, n)
		time.Sleep(time.Duration(n) * time.Second)
	}
	b.Log.Printf("rebooting now")
	unix.Sync()
	err := unix.Reboot(unix.LINUX_REBOOT_CMD_RESTART)
	b.Log.Printf("reboot failed: %v; reset the machine by hand", err)
	for {
		time.Sleep(time.Hour)
	}
}
