//go:build e2e

package e2e

import (
	"regexp"
	"testing"
	"time"
)

// NBD server restarts for the NBD roots that are not root=nbd:… or nbdroot= themselves: the
// root a DHCP root-path (option 17) names, and jffs2 over block2mtd over /dev/nbd0. Each must
// get the same reconnect supervisor as TestRestartNBD's root and ride out the same restart.

// rideOutNBDRestart is the restart of an NBD root whose guest runs rl: the supervisor for
// /dev/nbd0 starts at the switch and watches export exps[0]; after the first read pass
// nbd-server is stopped by its PID, started again after restartOutage, the supervisor must
// reconnect, and every pass must end with the right checksum.
func rideOutNBDRestart(t *testing.T, vm *VM, lab *Lab, srv *NBDServer, rl readLoop, exps ...NBDExport) {
	t.Helper()
	vm.WaitFor(`goinit: nbd reconnect supervisor @goinit-nbd0: pid \d+`, bootWait)
	rl.waitPass(vm, 1, bootWait)
	// The supervisor's first line races goinit's own, so look for it over the whole console.
	watching := `goinit-nbd0: watching /dev/nbd0 \(export "` + regexp.QuoteMeta(exps[0].Name) + `" on ` + regexp.QuoteMeta(srv.Addr)
	if w := vm.Seen(watching); len(w) == 0 {
		t.Errorf("no console line matched %q by the first read pass", watching)
	} else {
		t.Logf("supervisor: %s", w[0])
	}
	began := time.Now()
	if err := stopDaemon(srv.Pid, "nbd-server"); err != nil {
		t.Fatal(err)
	}
	t.Logf("nbd-server pid %d stopped", srv.Pid)
	vm.WaitFor(`goinit-nbd0: connection of /dev/nbd0 is dead`, 30*time.Second)
	time.Sleep(restartOutage)
	StartNBDServer(t, lab, exps...)
	line := vm.WaitFor(`goinit-nbd0: reconnected /dev/nbd0 to `+regexp.QuoteMeta(srv.Addr), 30*time.Second)
	t.Logf("%s (%.1fs after the stop)", line, time.Since(began).Seconds())
	rl.check(t, vm, 60*time.Second)
	vm.WaitPowerOff(30 * time.Second)
}

// TestRestartNBDFromDHCP: root=dhcp, and dnsmasq's root-path names the NBD export. The root is
// only known after DHCP, yet it gets the supervisor and goinit.nbd.timeout= like root=nbd:….
func TestRestartNBDFromDHCP(t *testing.T) {
	t.Parallel()
	tree, idCheck, rl := restartTree(t)
	img := MakeSquashfs(t, tree)
	lab := NewLab(t, 1)
	lab.StartDnsmasq(t, "dhcp-option=option:root-path,nbd:10.99.0.1:squash")
	exp := NBDExport{Name: "squash", Img: img, ReadOnly: true}
	srv := StartNBDServer(t, lab, exp)
	vm := bootBlockNet(t, lab, "root=dhcp", "goinit.nbd.timeout=5", idCheck, rl.Run)
	rideOutNBDRestart(t, vm, lab, srv, rl, exp)
}

// TestRestartNBDJFFS2Block2MTD: jffs2 over block2mtd over /dev/nbd0 (the seed's embedded setup
// with the flash image on an NBD server). The read loop's file is smaller than the other
// restart tests' (8 MiB): jffs2 scans the whole image at mount and checks every node's CRC.
func TestRestartNBDJFFS2Block2MTD(t *testing.T) {
	t.Parallel()
	id, idCheck := IDFile(t)
	rl := newReadLoop(t, 8<<20, restartPasses)
	img := MakeJFFS2(t, RootTree(t, append(rl.Files, id)...), 64<<10, 4)
	lab := NewLab(t, 1)
	exp := NBDExport{Name: "jffs2", Img: img} // writable: block2mtd opens its device for writing
	srv := StartNBDServer(t, lab, exp)
	vm := bootBlockNet(t, lab, "block2mtd.block2mtd=/dev/nbd0,65536", "nbdroot=10.99.0.1/jffs2",
		"rootfstype=jffs2", "root=/dev/mtdblock0", nbdStaticIP, "goinit.nbd.timeout=5", idCheck, rl.Run)
	rideOutNBDRestart(t, vm, lab, srv, rl, exp)
}
