package boot

import (
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goinit/goinit/internal/daemon"
)

// FreeInitramfsArgv0 is the argv[0] of the process that empties the initramfs after the switch
// ("@" like dracut's helpers: an init that kills stray processes at shutdown spares it).
const FreeInitramfsArgv0 = "@goinit-free-initramfs"

// startFreeInitramfs starts, at the lowest CPU priority (SCHED_IDLE), a copy of goinit that
// deletes the initramfs's files (all but keep) while the real init starts. Deleting a generic
// image's 20 MiB took about 0.12 s of a TCG guest's one vCPU on the way to the real init; in the
// background it uses only time nothing else wants. The child keeps the initramfs as its root
// and working directory, so the switch that follows does not change what it sees.
func startFreeInitramfs(keep string, debug bool) (int, error) {
	argv := []string{FreeInitramfsArgv0, keep}
	if debug {
		argv = append(argv, "debug")
	}
	// The child inherits the scheduling policy of the thread that forks it, and its threads
	// inherit the policy of its first: idle from its first instruction on. The fork runs on a
	// thread of its own, locked and never unlocked, so the runtime ends that thread with the
	// goroutine and the real init is never exec'ed from an idle-class thread.
	type started struct {
		pid int
		err error
	}
	ch := make(chan started, 1)
	go func() {
		runtime.LockOSThread()
		unix.SchedSetAttr(0, &unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_IDLE}, 0) //nolint:errcheck // at worst the child runs at normal priority
		pid, err := daemon.Start("/proc/self/exe", argv, []string{})
		ch <- started{pid, err}
	}()
	r := <-ch
	return r.pid, r.err
}

// RunFreeInitramfs is the main of FreeInitramfsArgv0: args are the directory to keep (the new
// root's mount point) and, optionally, "debug". It deletes every file of the initramfs and says
// on /dev/kmsg (its stdout) how much it freed and how long it took.
func RunFreeInitramfs(args []string, out io.Writer) int {
	if len(args) < 1 || !filepath.IsAbs(args[0]) {
		fmt.Fprintf(out, "<3>goinit: %s: want the absolute path of the directory to keep, got %q\n", FreeInitramfsArgv0, args)
		return 2
	}
	level := "<15>" // kmsg debug: on the console only with rd.debug
	if len(args) > 1 && args[1] == "debug" {
		level = "<14>"
	}
	began := time.Now()
	freed, err := emptyInitramfs(args[0])
	if err != nil {
		fmt.Fprintf(out, "<4>goinit: %s: %v: nothing deleted\n", FreeInitramfsArgv0, err)
		return 1
	}
	fmt.Fprintf(out, "%sgoinit: freed %d KiB of initramfs in the background in %s\n", level, freed>>10, time.Since(began).Round(time.Millisecond))
	return 0
}

// emptyInitramfs deletes every file of the initramfs but keep and returns the bytes freed; it
// refuses when / is not ramfs or tmpfs.
func emptyInitramfs(keep string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs("/", &st); err != nil {
		return 0, fmt.Errorf("statfs /: %w", err)
	}
	if st.Type != unix.RAMFS_MAGIC && st.Type != unix.TMPFS_MAGIC {
		return 0, fmt.Errorf("/ is not the initramfs (type %#x)", st.Type)
	}
	var rst unix.Stat_t
	if err := unix.Stat("/", &rst); err != nil {
		return 0, fmt.Errorf("stat /: %w", err)
	}
	return removeTree("/", rst.Dev, keep), nil
}

// freeInitramfs empties the initramfs at the switch: in the background when it can, else here,
// before the switch goes on. keep is the new root's mount point.
func (b *Boot) freeInitramfs(keep string) {
	began := time.Now()
	pid, err := startFreeInitramfs(keep, b.Params.Debug)
	if err == nil {
		b.Log.Debugf("deleting the initramfs in the background (pid %d, idle priority, started in %s)", pid, time.Since(began).Round(time.Millisecond))
		return
	}
	began = time.Now()
	freed, ferr := emptyInitramfs(keep)
	if ferr != nil {
		b.Log.Printf("warning: %v; %v: the initramfs is left in place", err, ferr)
		return
	}
	b.Log.Debugf("%v; deleted the initramfs here instead: freed %d KiB in %s", err, freed>>10, time.Since(began).Round(time.Millisecond))
}
