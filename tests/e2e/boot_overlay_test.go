//go:build e2e

package e2e

import (
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

// bootOverlay boots root with the overlay parameters, waits for every word the script prints,
// and checks that the root image on the host did not change.
func bootOverlay(t *testing.T, root testRoot, params string, want ...string) {
	t.Helper()
	before := fileSHA256(t, root.Img)
	vm := Boot(t, VMConfig{
		Initrd: blockInitramfs(t),
		Disks:  []Disk{{Path: root.Img}},
		Append: "panic=10 root=LABEL=" + root.FS.Label + " " + params + " canary.run=/check.sh",
	})
	c := vm.WaitCanary(bootWait)
	if c.Root != "rw" || c.FSType != "overlay" {
		t.Errorf("canary root=%s fstype=%s, want rw overlay", c.Root, c.FSType)
	}
	for _, w := range want {
		vm.WaitFor(w, 30*time.Second)
	}
	vm.WaitPowerOff(bootWait)
	if after := fileSHA256(t, root.Img); after != before {
		t.Errorf("the root image changed under the overlay: sha256 %s -> %s", before, after)
	}
	if got := vm.Seen(`goinit: stack a tmpfs overlay`); len(got) == 0 || !strings.Contains(got[0], "/newroot") {
		t.Errorf("no overlay step on the console: %q", got)
	}
}

// TestOverlayOnLocalRoot: rd.overlay (switch_root mode) makes the read-only root writable in
// RAM; the layers stay visible under /run/goinit.
func TestOverlayOnLocalRoot(t *testing.T) {
	t.Parallel()
	root := overlayRoot(t, "echo written > /new-file && cat /new-file\n"+
		"rm /etc/victim && [ ! -e /etc/victim ] && echo victim-deleted\n"+
		"[ -e /run/goinit/lower/etc/victim ] && echo lower-untouched\n"+
		"[ -e /run/goinit/rw/upper/new-file ] && echo upper-holds-write\n")
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
