//go:build e2e

package e2e

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// overlayRoot is a root with busybox, a file to delete and a check script run by the canary.
func overlayRoot(t *testing.T, script string) testRoot {
	t.Helper()
	return newTestRoot(t, append(BusyboxFiles(t),
		File{Path: "/etc/victim", Data: "delete me\n"},
		File{Path: "/check.sh", Data: "#!/bin/sh\n" + script, Mode: 0o755})...)
}

// checkOverlay waits for the canary on an overlaid root and for every word the check script
// prints, then checks that the root image on the host did not change.
func checkOverlay(t *testing.T, vm *VM, img, before string, want ...string) {
	t.Helper()
	c := vm.WaitCanary(bootWait)
	if c.Root != "rw" || c.FSType != "overlay" {
		t.Errorf("canary root=%s fstype=%s, want rw overlay", c.Root, c.FSType)
	}
	for _, w := range want {
		vm.WaitFor(w, 30*time.Second)
	}
	vm.WaitPowerOff(bootWait)
	if after := fileSHA256(t, img); after != before {
		t.Errorf("the root image changed under the overlay: sha256 %s -> %s", before, after)
	}
	if got := vm.Seen(`goinit: stack a tmpfs overlay`); len(got) == 0 || !strings.Contains(got[0], "/newroot") {
		t.Errorf("no overlay step on the console: %q", got)
	}
}

// bootOverlay boots a local root with the overlay parameters and checks it.
func bootOverlay(t *testing.T, root testRoot, params string, want ...string) {
	t.Helper()
	before := fileSHA256(t, root.Img)
	vm := Boot(t, VMConfig{
		Initrd: blockInitramfs(t),
		Disks:  []Disk{{Path: root.Img}},
		Append: "panic=10 root=LABEL=" + root.FS.Label + " " + params + " canary.run=/check.sh",
	})
	checkOverlay(t, vm, root.Img, before, want...)
}

// overlayScript writes, reads back and deletes through the overlay, and checks the layers.
const overlayScript = "echo written > /new-file && cat /new-file\n" +
	"rm /etc/victim && [ ! -e /etc/victim ] && echo victim-deleted\n" +
	"[ -e /run/goinit/lower/etc/victim ] && echo lower-untouched\n" +
	"[ -e /run/goinit/rw/upper/new-file ] && echo upper-holds-write\n"

// TestOverlayOnAoE: AUFS=1 over an AoE root that vblade serves read-only; the image on the
// server is unchanged afterwards.
func TestOverlayOnAoE(t *testing.T) {
	t.Parallel()
	root := overlayRoot(t, overlayScript)
	before := fileSHA256(t, root.Img)
	lab := NewLab(t, 1)
	StartVblade(t, lab, AoEExport{Shelf: 7, Slot: 1, Img: root.Img, ReadOnly: true})
	vm := bootBlockNet(t, lab, "aoeroot=e7.1", "AUFS=1", "canary.run=/check.sh")
	checkOverlay(t, vm, root.Img, before, "written", "victim-deleted", "lower-untouched", "upper-holds-write")
}

// TestOverlayOnLocalRoot: rd.overlay (switch_root mode) makes the read-only root writable in
// RAM; the layers stay visible under /run/goinit.
func TestOverlayOnLocalRoot(t *testing.T) {
	t.Parallel()
	root := overlayRoot(t, overlayScript)
	bootOverlay(t, root, "rd.overlay=tmpfs:size=32m", "written", "victim-deleted", "lower-untouched", "upper-holds-write")
}

// TestOverlayPivot: AUFS=1 goinit.pivot=1, the seed's second mode: the initramfs stays visible at
// /initrd, the writes in /initrd/.rw and the pristine lower root at /initrd/mnt.
func TestOverlayPivot(t *testing.T) {
	t.Parallel()
	root := overlayRoot(t, "echo written > /new-file && cat /new-file\n"+
		"rm /etc/victim && [ ! -e /etc/victim ] && echo victim-deleted\n"+
		"[ -e /initrd/mnt/etc/victim ] && echo pivot-lower-untouched\n"+
		"[ \"$(cat /initrd/.rw/new-file)\" = written ] && echo pivot-upper-holds-write\n"+
		"[ -x /initrd/init ] && echo pivot-initramfs-kept\n")
	bootOverlay(t, root, "AUFS=1 goinit.pivot=1", "written", "victim-deleted", "pivot-lower-untouched", "pivot-upper-holds-write", "pivot-initramfs-kept")
}

// treeSHA256 hashes every path, mode and file content under dir, in walk order.
func treeSHA256(t testing.TB, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %v %d\n", strings.TrimPrefix(p, dir), info.Mode(), info.Size())
		if info.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("hash tree %s: %v", dir, err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestOverlayOnNFS: AUFS=1 over the seed's NFS root (ganesha, read-only export): writes and a
// deletion work in the booted system, and the exported tree on the server is unchanged.
func TestOverlayOnNFS(t *testing.T) {
	LockNFS(t)
	tree := RootTree(t, append(BusyboxFiles(t),
		File{Path: "/etc/victim", Data: "delete me\n"},
		File{Path: "/check.sh", Data: "#!/bin/sh\n" + overlayScript, Mode: 0o755})...)
	before := treeSHA256(t, tree)
	lab := NewLab(t, 1)
	lab.StartNFS(t, tree)
	vm := bootBlockNet(t, lab, "ip=10.99.0.50::10.99.0.1:255.255.255.0::eth0:off",
		"root=/dev/nfs", "nfsroot=10.99.0.1:/export,ro,nolock", "AUFS=1", "canary.run=/check.sh")
	c := vm.WaitCanary(bootWait)
	if c.Root != "rw" || c.FSType != "overlay" {
		t.Errorf("canary root=%s fstype=%s, want rw overlay", c.Root, c.FSType)
	}
	for _, w := range []string{"written", "victim-deleted", "lower-untouched", "upper-holds-write"} {
		vm.WaitFor(w, 30*time.Second)
	}
	vm.WaitPowerOff(bootWait)
	if after := treeSHA256(t, tree); after != before {
		t.Errorf("the exported tree changed under the overlay: %s -> %s", before, after)
	}
}
