//go:build e2e

package e2e

import (
	"path/filepath"
	"testing"
	"time"
)

// Server restarts after boot (issue 9): a script in the booted root reads a big file again and
// again (page cache dropped before each pass) while the test stops the root's server by its
// PID and starts it again a few seconds later. Every pass must complete with the right checksum.

const (
	restartFileSize = 24 << 20
	restartPasses   = 8
	restartOutage   = 3 * time.Second
	nfsStaticParams = "ip=10.99.0.50::10.99.0.1:255.255.255.0::eth0:off root=/dev/nfs nfsroot=10.99.0.1:/export"
)

// restartTree is a squashfs-ready root with the id file and the read loop.
func restartTree(t *testing.T) (tree, idCheck string, rl readLoop) {
	t.Helper()
	id, idCheck := IDFile(t)
	rl = newReadLoop(t, restartFileSize, restartPasses)
	return RootTree(t, append(rl.Files, id)...), idCheck, rl
}

// TestRestartNBD: nbd-server is stopped and started again while the root is read; goinit's
// supervisor (@goinit-nbd0) reconnects and the reads resume. goinit.nbd.timeout=5 requeues the
// requests that were in flight on the dead connection after 5 s. The same restart for the NBD
// roots a DHCP root-path names and for jffs2 over block2mtd over NBD is in
// boot_nbd_restart_test.go.
func TestRestartNBD(t *testing.T) {
	t.Parallel()
	tree, idCheck, rl := restartTree(t)
	img := MakeSquashfs(t, tree)
	lab := NewLab(t, 1)
	exp := NBDExport{Name: "squash", Img: img, ReadOnly: true}
	srv := StartNBDServer(t, lab, exp)
	vm := bootBlockNet(t, lab, "root=nbd:10.99.0.1:squash", nbdStaticIP, "goinit.nbd.timeout=5", idCheck, rl.Run)
	rideOutNBDRestart(t, vm, lab, srv, rl, exp)
}

// TestRestartAoE: vblade is stopped and started again; the aoe driver retransmits until the
// target answers again.
func TestRestartAoE(t *testing.T) {
	t.Parallel()
	tree, idCheck, rl := restartTree(t)
	img := MakeSquashfs(t, tree)
	lab := NewLab(t, 1)
	p := StartVblade(t, lab, AoEExport{Shelf: 7, Slot: 1, Img: img, ReadOnly: true})
	vm := bootBlockNet(t, lab, "root=aoe:e7.1", "rootfstype=squashfs", idCheck, rl.Run)
	rl.waitPass(vm, 1, bootWait)
	began := time.Now()
	p.Stop()
	t.Logf("vblade stopped")
	time.Sleep(restartOutage)
	lab.Respawn(t, "vblade-e7.1-restarted", Tool(t, "vblade", "vblade"), "-r", "7", "1", lab.Taps[0], img)
	rl.waitPass(vm, 3, 60*time.Second)
	t.Logf("reads resumed %.1fs after the stop", time.Since(began).Seconds())
	rl.check(t, vm, 60*time.Second)
	vm.WaitPowerOff(30 * time.Second)
}

// TestRestartNFS: ganesha is stopped and started again; the hard NFS mount retries until the
// server is back.
func TestRestartNFS(t *testing.T) {
	t.Parallel()
	LockNFS(t)
	tree, idCheck, rl := restartTree(t)
	lab := NewLab(t, 1)
	s := lab.StartNFS(t, tree)
	vm := bootBlockNet(t, lab, nfsStaticParams, idCheck, rl.Run)
	rl.waitPass(vm, 1, bootWait)
	began := time.Now()
	s.Ganesha.Stop()
	t.Logf("ganesha stopped")
	time.Sleep(restartOutage)
	g := lab.Start(t, "ganesha-restarted", Tool(t, "ganesha.nfsd", "nfs-ganesha"),
		"-F", "-f", filepath.Join(lab.Dir, "ganesha.conf"), "-L", s.LogPath, "-p", filepath.Join(lab.Dir, "ganesha.pid"), "-N", "NIV_EVENT")
	lab.WaitTCP(t, g, lab.ServerIP+":2049", serverWait)
	rl.waitPass(vm, 3, 60*time.Second)
	t.Logf("reads resumed %.1fs after the stop", time.Since(began).Seconds())
	rl.check(t, vm, 60*time.Second)
	vm.WaitPowerOff(30 * time.Second)
}

// Lossy, slow links: a bridge in front of tap0 drops PCT% of the frames both ways (LossyBridge)
// and QEMU's filter-buffer delays every frame by about 50 ms. Each test boots to the canary and logs the
// time from QEMU's start. The 20% tests for NFS and NBD are in faults_lossy_test.go (make faults).

const (
	lossyDelayMS = 50
	// lossyWait bounds a lossy boot: at 20% loss both ways NBD took 25-76 s and NFS 37-96 s
	// (TCP carries some 30-40 KB/s; the 2.4 MB canary is most of it), AoE 71-76 s at 5%.
	lossyWait = 120 * time.Second
)

// lossyBoot boots with the delay on a lab whose LossyBridge is in place.
func lossyBoot(t *testing.T, lab *Lab, params ...string) *VM {
	t.Helper()
	return faultVM(t, lab, delayArgs(0, lossyDelayMS), params...)
}

func lossyCanary(t *testing.T, vm *VM, what string, timeout time.Duration) {
	t.Helper()
	c := vm.WaitCanary(timeout)
	t.Logf("%s: canary after %.1fs (root %s %s)", what, vm.Since().Seconds(), c.FSType, c.Source)
	if status, detail := vm.Check("sha256", "/etc/goinit-test-id", 30*time.Second); status != "ok" {
		t.Errorf("root is not this test's tree: sha256 check %s %s", status, detail)
	}
}

// TestLossyAoE: AoE boots to the canary with 5% loss both ways plus the delay. The 20% case,
// which the aoe driver's retransmit back-off makes take minutes, is measured by
// TestLossyAoE20 under the faults tag (make faults).
func TestLossyAoE(t *testing.T) {
	t.Parallel()
	vm := lossyAoEBoot(t, 5)
	lossyCanary(t, vm, "AoE, 5% loss both ways, 50 ms delay", lossyWait)
}

// lossyAoEBoot boots a squashfs root from vblade behind a bridge that drops pct percent of
// the frames both ways, with the delay.
func lossyAoEBoot(t *testing.T, pct int) *VM {
	t.Helper()
	id, idCheck := IDFile(t)
	img := MakeSquashfs(t, RootTree(t, id))
	lab := NewLab(t, 1)
	dev := LossyBridge(t, lab, 0, pct)
	lab.Respawn(t, "vblade-e7.1", Tool(t, "vblade", "vblade"), "-r", "7", "1", dev, img)
	return lossyBoot(t, lab, "root=aoe:e7.1", "rootfstype=squashfs", "rd.retry=120", idCheck)
}
