//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
)

var netnsSeq atomic.Int32

// NetNS creates a network namespace for the test, with loopback up, and deletes it when the test
// ends. Servers and QEMU (VMConfig.NetNS) run inside it; test traffic never leaves it.
func NetNS(t testing.TB) string {
	t.Helper()
	ip := Tool(t, "ip", "iproute2")
	name := fmt.Sprintf("goinit-e2e-%d-%d", os.Getpid(), netnsSeq.Add(1))
	run(t, ip, "netns", "add", name)
	t.Cleanup(func() {
		if out, err := exec.Command(ip, "netns", "del", name).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v: %s", name, err, out)
		}
	})
	run(t, ip, "-n", name, "link", "set", "lo", "up")
	return name
}
