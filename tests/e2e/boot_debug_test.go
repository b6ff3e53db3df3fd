//go:build e2e

package e2e

import (
	"crypto/sha256"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// debugInitramfs is the block image with busybox, so the debug shell exists.
func debugInitramfs(t testing.TB) string {
	t.Helper()
	return Mkinitramfs(t, "--modules", blockModules, "--nics", "none", "--busybox", "auto")
}

// bootDebug boots the busybox image from a fresh test root with the given parameters.
func bootDebug(t *testing.T, params string) *VM {
	t.Helper()
	root := newTestRoot(t)
	return Boot(t, VMConfig{
		Initrd: debugInitramfs(t),
		Disks:  []Disk{{Path: root.Img}},
		Append: "panic=10 " + params,
	})
}

// useShell waits for goinit's shell prompt, runs a command, checks its output and exits.
func useShell(t *testing.T, vm *VM) {
	t.Helper()
	vm.WaitPrompt(`\(goinit\) \S* # `, bootWait)
	vm.Send("echo shell-works-$((40+2)); cat /proc/cmdline\n")
	vm.WaitFor(`^shell-works-42\r?$`, 30*time.Second)
	vm.WaitPrompt(`\(goinit\) \S* # `, 30*time.Second)
	vm.Send("exit\n")
}

func TestDebugShellInitDebug(t *testing.T) {
	t.Parallel()
	vm := bootDebug(t, "root=LABEL=goinit-root INIT_DEBUG=1")
	vm.WaitFor(`goinit: rd.break=pre-switch: stopping before switching to the real root`, bootWait)
	vm.WaitFor(`^== settings ==`, 10*time.Second)
	vm.WaitFor(`^== mounts ==`, 10*time.Second)
	vm.WaitFor(`^/newroot  ext4  /dev/vda`, 10*time.Second)
	vm.WaitFor(`^== timeline ==`, 10*time.Second)
	// The report is for an 80-column serial console: no line of it may be wider.
	for _, l := range vm.Seen(`^.{81,}$`) {
		if !strings.HasPrefix(l, "[") && !strings.HasPrefix(l, "GOINIT-") {
			t.Errorf("debug report line wider than 80 columns (%d): %q", len(l), l)
		}
	}
	useShell(t, vm)
	vm.WaitFor(`goinit: shell exited; continuing the boot`, 30*time.Second)
	c := vm.WaitCanary(bootWait)
	if c.Root != "ro" {
		t.Errorf("canary root=%s, want ro", c.Root)
	}
	vm.WaitPowerOff(bootWait)
}

func TestDebugBreakPreMount(t *testing.T) {
	t.Parallel()
	vm := bootDebug(t, "root=LABEL=goinit-root rd.break=pre-mount")
	vm.WaitFor(`goinit: rd.break=pre-mount: stopping before attaching and mounting the root`, bootWait)
	useShell(t, vm)
	vm.WaitFor(`goinit: shell exited; continuing the boot`, 30*time.Second)
	vm.WaitCanary(bootWait)
	vm.WaitPowerOff(bootWait)
}

func TestDebugShellOnFailure(t *testing.T) {
	t.Parallel()
	vm := bootDebug(t, "root=LABEL=missing rd.retry=3 rd.shell panic=2")
	vm.WaitFor(`goinit: error: attach block LABEL=missing: no block device LABEL=missing appeared`, bootWait)
	vm.WaitFor(`goinit: starting a shell \(rd.shell\); exit it to reboot`, 30*time.Second)
	useShell(t, vm)
	expectRebootWithoutCanary(t, vm, 60*time.Second)
}

// fileSHA256 is the hex sha256 of a host file.
func fileSHA256(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}
