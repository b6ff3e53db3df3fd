//go:build e2e

package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// nbdStaticIP configures eth0 statically: NBD needs an address, and no DHCP server is in the lab.
const nbdStaticIP = "ip=10.99.0.50::10.99.0.1:255.255.255.0::eth0:off"

// nbdExports are the named exports of the NBD tests, in the order of nbd-server's config.
func nbdExports(ext4, squash string) []NBDExport {
	return []NBDExport{
		{Name: "ext4", Img: ext4, ReadOnly: true},
		{Name: "squash", Img: squash, ReadOnly: true},
	}
}

// TestNBDRoot boots ext4 and squashfs images that nbd-server exports by name, in the dracut
// form and in the nbdroot= form. goinit hands the socket to the kernel, so after the switch no
// process of the initramfs is left: the canary's checksum of an 8 MiB file read through
// /dev/nbd0 proves the device survived.
func TestNBDRoot(t *testing.T) {
	t.Parallel()
	id, idCheck := IDFile(t)
	big, bigCheck := RandomFile(t, "/big.bin", bigFileSize)
	tree := RootTree(t, id, big)
	ext4 := (&Ext4{}).Make(t, tree)
	squash := MakeSquashfs(t, tree)
	tests := []struct {
		name   string
		params string
		fstype string
	}{
		{"dracut_ext4", "root=nbd:10.99.0.1:ext4", "ext4"},
		{"nbdroot_squash", "nbdroot=10.99.0.1/squash root=/dev/nbd0", "squashfs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lab := NewLab(t, 1)
			StartNBDServer(t, lab, nbdExports(ext4, squash)...)
			vm := bootBlockNet(t, lab, tt.params, nbdStaticIP, idCheck, bigCheck)
			checkBlockRoot(t, vm, tt.fstype, "/dev/nbd0", idCheck, bigCheck)
		})
	}
}

// TestNBDJFFS2Block2MTD: a jffs2 flash image over block2mtd over NBD (nbdroot= says where
// /dev/nbd0 comes from, root= names the mtdblock device). The export is writable: block2mtd
// opens its device for writing.
func TestNBDJFFS2Block2MTD(t *testing.T) {
	t.Parallel()
	id, idCheck := IDFile(t)
	blob, blobCheck := RandomFile(t, "/blob.bin", 256<<10)
	img := MakeJFFS2(t, RootTree(t, id, blob), 64<<10, 4)
	lab := NewLab(t, 1)
	StartNBDServer(t, lab, NBDExport{Name: "jffs2", Img: img})
	vm := bootBlockNet(t, lab, "block2mtd.block2mtd=/dev/nbd0,65536", "nbdroot=10.99.0.1/jffs2",
		"rootfstype=jffs2", "root=/dev/mtdblock0", nbdStaticIP, idCheck, blobCheck)
	checkBlockRoot(t, vm, "jffs2", "/dev/mtdblock0", idCheck, blobCheck)
}

// TestNBDUnknownExport: asking for an export the server does not have prints the exports it
// does offer (NBD_OPT_LIST) and reboots without the canary.
func TestNBDUnknownExport(t *testing.T) {
	t.Parallel()
	tree := RootTree(t)
	ext4 := (&Ext4{SizeMB: 16}).Make(t, tree)
	squash := MakeSquashfs(t, tree)
	lab := NewLab(t, 1)
	StartNBDServer(t, lab, nbdExports(ext4, squash)...)
	vm := bootBlockNet(t, lab, "root=nbd:10.99.0.1:nosuch", nbdStaticIP, "rd.retry=20", "panic=2")
	vm.WaitFor(kernelRunsInit, bootWait)
	line := vm.WaitForUser(`error: .*"nosuch"`, bootWait)
	t.Logf("goinit: %s", line)
	for _, name := range []string{`"ext4"`, `"squash"`} {
		if !strings.Contains(line, name) {
			t.Errorf("the error does not list the server's export %s: %q", name, line)
		}
	}
	if !strings.Contains(line, "10.99.0.1:10809") {
		t.Errorf("the error does not name the server 10.99.0.1:10809: %q", line)
	}
	expectRebootWithoutCanary(t, vm, 30*time.Second)
}

// TestNBDServerDown: with no nbd-server listening the boot gives up after rd.retry with
// "connection refused" and the server's address and port.
func TestNBDServerDown(t *testing.T) {
	t.Parallel()
	lab := NewLab(t, 1)
	vm := bootBlockNet(t, lab, "root=nbd:10.99.0.1:ext4", nbdStaticIP, "rd.retry=8", "panic=2")
	vm.WaitFor(kernelRunsInit, bootWait)
	line := vm.WaitForUser(`error: .*`+regexp.QuoteMeta("10.99.0.1:10809"), bootWait)
	t.Logf("goinit: %s", line)
	if !strings.Contains(line, "connection refused") {
		t.Errorf("the error does not say connection refused: %q", line)
	}
	expectRebootWithoutCanary(t, vm, 30*time.Second)
}
