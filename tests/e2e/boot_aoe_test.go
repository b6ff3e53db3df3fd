//go:build e2e

package e2e

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// bigFileSize is the file the canary reads back after the switch: far more than goinit reads
// while mounting, so its checksum proves the network block device still works in the real root.
const bigFileSize = 8 << 20

// checkBlockRoot waits for the canary and its checks: PID 1 on a read-only root of fstype from
// source, the test's id file, then every further sha256 check in checks, then the power-off.
func checkBlockRoot(t *testing.T, vm *VM, fstype, source string, checks ...string) {
	t.Helper()
	c := vm.WaitCanary(bootWait)
	want := Canary{PID: 1, Argv: []string{"/sbin/init"}, Root: "ro", FSType: fstype, Source: source, At: c.At}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("canary = %+v, want %+v", c, want)
	}
	for _, ch := range checks {
		path, _, _ := strings.Cut(strings.TrimPrefix(ch, "canary.sha256="), ":")
		if status, detail := vm.Check("sha256", path, bootWait); status != "ok" {
			t.Errorf("canary check sha256 %s: %s %s", path, status, detail)
		}
	}
	vm.WaitPowerOff(bootWait)
	for _, l := range vm.Seen(`^\[ *\d+\.\d{3}\] goinit: (attach |mount the root|aoe: |nbd|coldplug: load|network: static)`) {
		t.Logf("console: %s", l)
	}
}

// expectNoIP fails when goinit configured IP networking: an AoE root needs links up, nothing more.
func expectNoIP(t *testing.T, vm *VM) {
	t.Helper()
	if got := vm.Seen(`goinit: (network: |.*\b(DHCP|dhcp)\b)`); len(got) != 0 {
		t.Errorf("goinit configured the network for an AoE root without ip=: %q", got)
	}
}

// TestAoERoot boots ext4 and squashfs images that vblade exports, named in each form a user
// writes, with no DHCP server in the lab and no ip=: AoE needs links up, not addresses. After
// the switch the canary reads an 8 MiB file back through the AoE device.
func TestAoERoot(t *testing.T) {
	t.Parallel()
	id, idCheck := IDFile(t)
	big, bigCheck := RandomFile(t, "/big.bin", bigFileSize)
	tree := RootTree(t, id, big)
	ext4 := (&Ext4{}).Make(t, tree)
	squash := MakeSquashfs(t, tree)
	tests := []struct {
		name        string
		shelf, slot int
		img         string
		params      string
		fstype      string
		source      string
	}{
		{"ext4_aoeroot", 7, 1, ext4, "aoeroot=e7.1", "ext4", "/dev/etherd/e7.1"},
		{"ext4_dev_etherd", 7, 1, ext4, "root=/dev/etherd/e7.1", "ext4", "/dev/etherd/e7.1"},
		{"squashfs_aoe_rootfstype", 7, 2, squash, "root=aoe:e7.2 rootfstype=squashfs", "squashfs", "/dev/etherd/e7.2"},
		{"squashfs_dev_etherd_probe", 7, 2, squash, "root=/dev/etherd/e7.2", "squashfs", "/dev/etherd/e7.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lab := NewLab(t, 1)
			// Read-only: the subtests share the image, and a read-only root must not write.
			vblade := StartVblade(t, lab, AoEExport{Shelf: tt.shelf, Slot: tt.slot, Img: tt.img, ReadOnly: true})
			vm := bootBlockNet(t, lab, tt.params, idCheck, bigCheck)
			checkBlockRoot(t, vm, tt.fstype, tt.source, idCheck, bigCheck)
			t.Logf("vblade was started %d times", vblade.Starts())
			expectNoIP(t, vm)
		})
	}
}

// TestAoEJFFS2Block2MTD is the seed's embedded setup: a jffs2 flash image over block2mtd over
// AoE, mounted through mtdblock. The erase size on the command line matches mkfs.jffs2's.
func TestAoEJFFS2Block2MTD(t *testing.T) {
	t.Parallel()
	const erase = 64 << 10
	id, idCheck := IDFile(t)
	blob, blobCheck := RandomFile(t, "/blob.bin", 256<<10)
	img := MakeJFFS2(t, RootTree(t, id, blob), erase, 4)
	lab := NewLab(t, 1)
	StartVblade(t, lab, AoEExport{Shelf: 7, Slot: 3, Img: img})
	vm := bootBlockNet(t, lab, "block2mtd.block2mtd=/dev/etherd/e7.3,65536", "rootfstype=jffs2",
		"root=/dev/mtdblock0", idCheck, blobCheck)
	checkBlockRoot(t, vm, "jffs2", "/dev/mtdblock0", idCheck, blobCheck)
	expectNoIP(t, vm)
}

// TestAoENoTarget: with no vblade in the lab the boot gives up after rd.retry, names the
// shelf.slot and the interface it asked on, and reboots without reaching the canary.
func TestAoENoTarget(t *testing.T) {
	t.Parallel()
	const retry = 8
	lab := NewLab(t, 1)
	vm := bootBlockNet(t, lab, "aoeroot=e7.1", "rd.retry=8", "panic=2")
	vm.WaitFor(kernelRunsInit, bootWait)
	vm.WaitForUser(`e7\.1`, bootWait) // goinit starts looking
	looking := vm.Since()
	line := vm.WaitForUser(`error: .*e7\.1`, (retry+30)*time.Second)
	failed := vm.Since()
	t.Logf("goinit: %s", line)
	if !strings.Contains(line, "eth0") {
		t.Errorf("the error does not name the interface it asked on (eth0): %q", line)
	}
	if waited := failed - looking; waited < (retry-1)*time.Second {
		t.Errorf("goinit gave up %.1fs after it started looking, want about rd.retry=%d s", waited.Seconds(), retry)
	}
	expectRebootWithoutCanary(t, vm, 30*time.Second)
}

// TestAoENBDModulesInImage: the image the AoE and NBD boots use carries, by default, every module
// the block-level network roots need (mkinitramfs ls lists it).
func TestAoENBDModulesInImage(t *testing.T) {
	t.Parallel()
	img := blockNetInitramfs(t)
	list := run(t, env(t).Bin(t, "mkinitramfs"), "ls", img)
	for _, m := range blockNetModules {
		if !strings.Contains(list, "/"+m+".ko.zst\n") {
			t.Errorf("mkinitramfs ls %s: no %s.ko.zst in the image", img, m)
		}
	}
}
