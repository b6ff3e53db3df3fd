//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"
)

// kernelRunsInit is the kernel's line just before it starts /init (goinit): text after it that
// names the root comes from goinit, not from the kernel's echo of its command line.
const kernelRunsInit = `Run /init as init process`

// TestBootRootMissing: a root that never appears ends the boot after rd.retry seconds with a
// message naming the awaited device and the block devices seen, then a reboot after panic=.
func TestBootRootMissing(t *testing.T) {
	t.Parallel()
	r := newTestRoot(t)
	vm := bootGoinit(t, []Disk{{Path: r.Img}}, "root=LABEL=missing", "rd.retry=5", "panic=2")
	vm.WaitFor(kernelRunsInit, bootWait)
	line := vm.WaitForUser(`LABEL=missing`, bootWait)
	t.Logf("goinit: %s", line)
	if !strings.Contains(line, "vda") {
		vm.WaitForUser(`\bvda\b`, 10*time.Second) // the list of block devices seen
	}
	expectRebootWithoutCanary(t, vm, 30*time.Second)
}

// TestBootMalformedParam: a parameter goinit knows but cannot parse is quoted back on the console,
// and the machine reboots.
func TestBootMalformedParam(t *testing.T) {
	t.Parallel()
	r := newTestRoot(t)
	vm := bootGoinit(t, []Disk{{Path: r.Img}}, "root=LABEL="+r.FS.Label, "rd.retry=abc", "panic=2")
	vm.WaitFor(kernelRunsInit, bootWait)
	line := vm.WaitForUser(`rd\.retry="abc"`, bootWait)
	t.Logf("goinit: %s", line)
	expectRebootWithoutCanary(t, vm, 30*time.Second)
}

// TestBootRootModuleMissing: an image built for NFS roots only, booted with an AoE root, fails
// at once in the attach stage naming the module, with the mkinitramfs flags that add it.
func TestBootRootModuleMissing(t *testing.T) {
	t.Parallel()
	img := Mkinitramfs(t, "--nics", "none", "--modules", "virtio_pci,virtio_net", "--roots", "nfs", "--busybox", "none")
	vm := Boot(t, VMConfig{Initrd: img, Append: "panic=2 root=aoe:e7.1"})
	vm.WaitFor(kernelRunsInit, bootWait)
	line := vm.WaitForUser(`error: attach aoe e7\.1: load the aoe module: no module for "aoe" in the image`, bootWait)
	t.Logf("goinit: %s", line)
	hint := vm.WaitForUser(`hint: `, 10*time.Second)
	t.Logf("goinit: %s", hint)
	if want := "hint: rebuild the image with --roots including aoe (or --roots all)"; !strings.HasSuffix(hint, want) {
		t.Errorf("the hint is %q, want it to end with %q", hint, want)
	}
	expectRebootWithoutCanary(t, vm, 30*time.Second)
}
