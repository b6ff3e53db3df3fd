package modalias

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestUeventListener opens the listener in a network namespace of its own and creates a
// bridge there: the kernel sends that namespace the bridge's "add" uevent. The bridge
// module must already be loaded (the test never loads modules into the host kernel).
func TestUeventListener(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root for a network namespace")
	}
	if _, err := os.Stat("/sys/module/bridge"); err != nil {
		t.Skip("bridge module not loaded on this host")
	}
	ipCmd, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("no ip command")
	}
	type result struct {
		u   *UeventListener
		err error
	}
	ready := make(chan result, 1)
	done := make(chan struct{})
	// A locked thread moved into a new network namespace; it is not unlocked, so Go
	// discards the thread when the goroutine ends instead of reusing it elsewhere.
	go func() {
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			ready <- result{err: err}
			return
		}
		u, err := ListenUevents()
		if err != nil {
			ready <- result{err: err}
			return
		}
		ready <- result{u: u}
		<-done
		// The command runs in this thread's namespace.
		if out, err := exec.Command(ipCmd, "link", "add", "gitest0", "type", "bridge").CombinedOutput(); err != nil {
			t.Errorf("ip link add: %v: %s", err, out)
		}
	}()
	r := <-ready
	if r.err != nil {
		t.Skipf("no private network namespace: %v", r.err)
	}
	defer r.u.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan Uevent, 16)
	runErr := make(chan error, 1)
	go func() {
		runErr <- r.u.Run(ctx, func(ev Uevent) { got <- ev })
	}()
	close(done)
	for {
		select {
		case ev := <-got:
			if ev.Action == "add" && ev.Env["INTERFACE"] == "gitest0" {
				if ev.Subsystem != "net" || ev.DevPath != "/devices/virtual/net/gitest0" {
					t.Errorf("event = %+v", ev)
				}
				cancel()
				if err := <-runErr; err != context.Canceled {
					t.Errorf("Run after cancel = %v, want context.Canceled", err)
				}
				return
			}
		case err := <-runErr:
			t.Fatalf("Run returned early: %v", err)
		case <-ctx.Done():
			t.Fatal("no uevent for the bridge within 10s")
		}
	}
}
