package boot

import (
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goinit/goinit/internal/console"
)

// Main is goinit's life as PID 1. It never returns.
func Main(version string) {
	start := time.Now()
	earlyErr := MountEarly()
	b := &Boot{Version: version, Log: console.Open(start), devs: newDevWatch()}
	b.TL = NewTimeline(start, uptime())
	b.TL.Add("mount /proc /sys /dev /run", "setup", start, earlyErr)
	var uts unix.Utsname
	unix.Uname(&uts)
	b.Kernel = unix.ByteSliceToString(uts.Release[:])
	// Unlimited /dev/kmsg writes while goinit logs; the kernel default drops all but a few lines.
	os.WriteFile("/proc/sys/kernel/printk_devkmsg", []byte("on\n"), 0o644)
	b.Log.Printf("goinit %s on Linux %s", version, b.Kernel)
	defer func() {
		if r := recover(); r != nil {
			b.Fail(fmt.Errorf("internal error (please report it): panic: %v\n%s", r, debug.Stack()))
		}
	}()
	if earlyErr != nil {
		b.Fail(&StepError{Step: "mount /proc /sys /dev /run", Stage: "setup", Err: earlyErr})
	}
	cmdline, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		b.Fail(&StepError{Step: "read /proc/cmdline", Stage: "setup", Err: err})
	}
	b.startUevents()
	if err := b.Prepare(string(cmdline)); err != nil {
		b.Fail(err)
	}
	b.Fail(b.Run())
}
