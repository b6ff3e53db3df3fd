//go:build e2e

package e2e

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"
)

// blockModules are what a local-disk root needs from the installed kernel: virtio-blk and AHCI
// disks and ext4 (its crc32c softdep is mkinitramfs's job).
const blockModules = "virtio_pci,virtio_blk,ahci,sd_mod,ext4"

// blockInitramfs is the goinit image for roots on local disks (no NICs, no busybox).
func blockInitramfs(t testing.TB) string {
	t.Helper()
	return Mkinitramfs(t, "--modules", blockModules, "--nics", "none", "--busybox", "none")
}

// testRoot is an ext4 root image whose /etc/goinit-test-id is unique to the test, so the canary
// can prove (IDCheck) that it runs on this very image.
type testRoot struct {
	Img     string
	FS      Ext4
	IDCheck string // kernel parameter: canary.sha256=/etc/goinit-test-id:<hex>
}

func newTestRoot(t testing.TB, files ...File) testRoot {
	t.Helper()
	r := testRoot{FS: Ext4{UUID: NewUUID(t)}}
	id := fmt.Sprintf("%s %s\n", t.Name(), r.FS.UUID)
	files = append(files, File{Path: "/etc/goinit-test-id", Data: id})
	r.Img = r.FS.Make(t, RootTree(t, files...))
	r.IDCheck = fmt.Sprintf("canary.sha256=/etc/goinit-test-id:%x", sha256.Sum256([]byte(id)))
	return r
}

// bootGoinit boots goinit's block image with disks. panic=10 comes first so that a failing boot
// ends in seconds; a test's own panic= comes later and wins.
func bootGoinit(t testing.TB, disks []Disk, params ...string) *VM {
	t.Helper()
	return Boot(t, VMConfig{
		Initrd: blockInitramfs(t),
		Disks:  disks,
		Append: "panic=10 " + strings.Join(params, " "),
	})
}

// expectRebootWithoutCanary waits for QEMU to exit after a boot failure: a reboot (not a
// power-off, not a kernel panic because PID 1 died) and the canary never ran.
func expectRebootWithoutCanary(t *testing.T, vm *VM, within time.Duration) {
	t.Helper()
	d := vm.WaitExit(within)
	t.Logf("QEMU exited %.1fs after start", d.Seconds())
	if got := vm.Seen(`GOINIT-CANARY`); len(got) != 0 {
		t.Errorf("the canary ran although the boot had to fail: %q", got)
	}
	if got := vm.Seen(`reboot: Power down`); len(got) != 0 {
		t.Errorf("the machine powered off, want a reboot: %q", got)
	}
	if got := vm.Seen(`Kernel panic - not syncing`); len(got) != 0 {
		t.Errorf("kernel panic (did PID 1 exit?): %q", got)
	}
}
