//go:build e2e && faults

package e2e

// The fault tests that are too slow or not yet reliable for make test; run them with
// make faults. TestLossyNFS boots in about half of the runs on this machine: in the others the
// real init starts and then no NFS read completes for minutes (under investigation).

import (
	"os"
	"testing"
	"time"
)

func TestLossyNFS(t *testing.T) {
	t.Parallel()
	LockNFS(t)
	id, idCheck := IDFile(t)
	lab := NewLab(t, 1)
	LossyBridge(t, lab, 0, 20)
	lab.StartNFS(t, RootTree(t, id))
	vm := lossyBoot(t, lab, nfsStaticParams, idCheck)
	lossyCanary(t, vm, "NFS, 20% loss both ways, 50 ms delay", lossyWait)
}

// TestLossyAoE20 measures an AoE boot with 20% loss both ways plus 50 ms delay: goinit must
// reach the switch within lossyWait; the canary is then awaited GOINIT_E2E_AOE20_WAIT (a Go
// duration, default 60s) more, and the time is logged.
func TestLossyAoE20(t *testing.T) {
	t.Parallel()
	id, idCheck := IDFile(t)
	img := MakeSquashfs(t, RootTree(t, id))
	lab := NewLab(t, 1)
	dev := LossyBridge(t, lab, 0, 20)
	lab.Respawn(t, "vblade-e7.1", Tool(t, "vblade", "vblade"), "-r", "7", "1", dev, img)
	vm := lossyBoot(t, lab, "root=aoe:e7.1", "rootfstype=squashfs", "rd.retry=120", idCheck)
	what := "AoE, 20% loss both ways, 50 ms delay"
	vm.WaitFor(`goinit: switching to /sbin/init on /dev/etherd/e7\.1`, lossyWait)
	t.Logf("%s: goinit switched %.1fs after QEMU start", what, vm.Since().Seconds())
	wait := 60 * time.Second
	if v := os.Getenv("GOINIT_E2E_AOE20_WAIT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("GOINIT_E2E_AOE20_WAIT=%q: expected a Go duration such as 5m", v)
		}
		wait = d
	}
	if _, err := vm.Find(canaryMarker, wait); err != nil {
		t.Logf("%s: no canary within %s more (%.1fs after QEMU start): the root's init is still loading", what, wait, vm.Since().Seconds())
		return
	}
	t.Logf("%s: canary after %.1fs", what, vm.Since().Seconds())
}
