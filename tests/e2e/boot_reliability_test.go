//go:build e2e

package e2e

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestReliabilityDeadFirstServer: the first root server is dead (no host answers at
// 10.99.0.9), the alternative is up. The boot reaches the canary, and the time lost to the dead
// server is its per-try limit (goinit.trytime=5), printed on the console.
func TestReliabilityDeadFirstServer(t *testing.T) {
	t.Parallel()
	id, idCheck := IDFile(t)
	img := (&Ext4{}).Make(t, RootTree(t, id))
	lab := NewLab(t, 1)
	StartNBDServer(t, lab, NBDExport{Name: "ext4", Img: img, ReadOnly: true})
	vm := bootBlockNet(t, lab, "root=nbd:10.99.0.9:ext4", "goinit.altroot=nbd:10.99.0.1:ext4",
		"goinit.trytime=5", nbdStaticIP, idCheck)
	line := vm.WaitFor(`goinit: root server nbd 10\.99\.0\.9:10809 export "ext4" failed after ([0-9.]+)s \(try limit 5s\)`, bootWait)
	lost, _ := strconv.ParseFloat(regexp.MustCompile(`failed after ([0-9.]+)s`).FindStringSubmatch(line)[1], 64)
	if lost > 5.5 {
		t.Errorf("the dead server cost %.1fs, more than its 5s try limit: %s", lost, line)
	}
	t.Logf("time lost to the dead server: %.1fs (%s)", lost, line)
	checkBlockRoot(t, vm, "ext4", "/dev/nbd0", idCheck)
}

// TestReliabilityLateServer: the NBD server starts 20 s after the client. goinit keeps trying
// within rd.retry, says so on the console, and boots once the server is up.
func TestReliabilityLateServer(t *testing.T) {
	t.Parallel()
	id, idCheck := IDFile(t)
	img := (&Ext4{}).Make(t, RootTree(t, id))
	lab := NewLab(t, 1)
	vm := bootBlockNet(t, lab, "root=nbd:10.99.0.1:ext4", "rd.retry=90", nbdStaticIP, idCheck)
	vm.WaitFor(`goinit: nbd 10\.99\.0\.1:10809 export "ext4": not reachable yet \(attempt 1, .* left\)`, bootWait)
	time.Sleep(20 * time.Second) // the rack powering on: the server comes up late on purpose
	vm.WaitFor(`goinit: nbd 10\.99\.0\.1:10809 export "ext4": not reachable yet \(attempt [0-9]+, .* left\)`, 30*time.Second)
	StartNBDServer(t, lab, NBDExport{Name: "ext4", Img: img, ReadOnly: true})
	checkBlockRoot(t, vm, "ext4", "/dev/nbd0", idCheck)
}
