//go:build e2e

package e2e

import (
	"net"
	"strings"
	"testing"
	"time"
)

// TestNetLab checks the lab itself (no guest): taps and addresses inside the namespace and not on
// the host, Respawn restarting a program that exits, Stop ending it, readiness probes.
func TestNetLab(t *testing.T) {
	t.Parallel()
	lab := NewLab(t, 2)
	if got := strings.Join(lab.Taps, ","); got != "tap0,tap1" {
		t.Errorf("taps = %s, want tap0,tap1", got)
	}
	out := lab.Exec(t, "ip", "-o", "addr", "show", "dev", "tap1")
	for _, want := range []string{"10.99.1.1/24", "fe80::1/64"} {
		if !strings.Contains(out, want) {
			t.Errorf("tap1 addresses %q: no %s", out, want)
		}
	}
	if _, err := net.InterfaceByName("tap0"); err == nil {
		t.Errorf("tap0 exists on the host: the lab must keep its taps in namespace %s", lab.NS)
	}
	if err := lab.InNS(func() error {
		_, err := net.InterfaceByName("tap0")
		return err
	}); err != nil {
		t.Errorf("tap0 inside the namespace: %v", err)
	}

	p := lab.Respawn(t, "flaky", "sh", "-c", "echo flaky ran; exit 3")
	deadline := time.Now().Add(10 * time.Second)
	for p.Starts() < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if p.Starts() < 3 {
		t.Errorf("respawned program started %d times in 10 s, want at least 3; log:\n%s", p.Starts(), p.Log())
	}
	p.Stop()
	if !p.Exited() {
		t.Errorf("respawned program still running after Stop")
	}
	n := p.Starts()
	time.Sleep(500 * time.Millisecond)
	if p.Starts() != n {
		t.Errorf("respawned program restarted after Stop: %d starts, then %d", n, p.Starts())
	}
	if got := strings.Count(p.Log(), "\nflaky ran\n"); got != n {
		t.Errorf("log has %d runs, want %d:\n%s", got, n, p.Log())
	}

	// busybox nc listens on TCP inside the namespace; the probe must reach it there.
	bb := Tool(t, "busybox", "busybox-static")
	nc := lab.Start(t, "nc", bb, "nc", "-l", "-p", "4567")
	lab.WaitTCP(t, nc, lab.ServerIP+":4567", 10*time.Second)
	nc.Stop()
	if !nc.Exited() {
		t.Errorf("nc still running after Stop")
	}
}
