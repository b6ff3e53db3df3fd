//go:build e2e

package e2e

import (
	"crypto/sha256"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// bootWait bounds each wait for the console: a boot to the canary takes 6–15 s under TCG.
const bootWait = 90 * time.Second

// TestHarnessCanaryInitramfs boots the canary as /init of a plain cpio (no goinit, no modules):
// it proves the kernel, QEMU, the console reader and every canary check.
func TestHarnessCanaryInitramfs(t *testing.T) {
	t.Parallel()
	const release = "hello from the canary initramfs\n"
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte(release)))
	files := append(BusyboxFiles(t),
		File{Path: "/etc/test-release", Data: release},
		File{Path: "/check.sh", Mode: 0o755, Data: "#!/bin/sh\necho script says \"$1\"\necho to stderr >&2\nexit 3\n"},
	)
	vm := Boot(t, VMConfig{
		Initrd: CanaryInitramfs(t, files...),
		Append: "panic=-1 canary.sha256=/etc/test-release:" + sum +
			" canary.sha256=/etc/test-release:" + fmt.Sprintf("%064d", 0) +
			" canary.write=/tmp/written canary.cat=/etc/test-release" +
			` canary.run="/check.sh hi" -- x`,
	})
	c := vm.WaitCanary(bootWait)
	want := Canary{PID: 1, Argv: []string{"/init", "x"}, Root: "rw", FSType: "rootfs", Source: "rootfs", At: c.At}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("canary = %+v, want %+v", c, want)
	}
	expect := func(kind, subject, wantStatus, wantDetail string) {
		t.Helper()
		if status, detail := vm.Check(kind, subject, bootWait); status != wantStatus || detail != wantDetail {
			t.Errorf("check %s %s = %s %q, want %s %q", kind, subject, status, detail, wantStatus, wantDetail)
		}
	}
	expect("sha256", "/etc/test-release", "ok", "")
	expect("sha256", "/etc/test-release", "mismatch", fmt.Sprintf("got=%s want=%064d", sum, 0))
	expect("write", "/tmp/written", "ok", "")
	expect("cat", "/etc/test-release", "ok", "bytes=32")
	expect("run", "/check.sh", "failed", "exit=3")
	vm.WaitPowerOff(bootWait)
	// The console is read to its end now.
	if got := vm.Seen(`^GOINIT-CANARY-CAT hello from the canary initramfs$`); len(got) != 1 {
		t.Errorf("cat output lines = %q, want one", got)
	}
	if got := vm.Seen(`^GOINIT-CANARY-OUT (script says hi|to stderr)$`); len(got) != 2 {
		t.Errorf("run output lines = %q, want 2", got)
	}
}

// TestHarnessSend types into the console: /init is a busybox shell script that reads a line,
// echoes it and then runs the canary. It proves Send for later debug-shell tests, and QEMU in a
// network namespace of the test's own with a tap NIC.
func TestHarnessSend(t *testing.T) {
	t.Parallel()
	files := append(BusyboxFiles(t),
		File{Path: "/sbin/canary", Src: env(t).Bin(t, "canary"), Mode: 0o755},
		File{Path: "/init", Mode: 0o755, Data: "#!/bin/sh\n" +
			"echo HARNESS-READY\n" +
			"read line\n" +
			"echo \"HARNESS-GOT:$line\"\n" +
			"exec /sbin/canary from-shell\n"},
	)
	ns := NetNS(t)
	vm := Boot(t, VMConfig{
		Initrd: CanaryInitramfs(t, files...),
		Append: "panic=-1",
		NetNS:  ns,
		QEMUArgs: []string{"-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
			"-device", "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56"},
	})
	vm.WaitFor(`^HARNESS-READY$`, bootWait)
	// QEMU made tap0 inside the test's namespace, not on the host.
	if out := run(t, Tool(t, "ip", "iproute2"), "-n", ns, "-o", "link", "show", "tap0"); !strings.Contains(out, "tap0") {
		t.Errorf("ip -n %s link show tap0: %q", ns, out)
	}
	vm.Send("typed words 42\n")
	vm.WaitFor(`^HARNESS-GOT:typed words 42$`, 30*time.Second)
	c := vm.WaitCanary(30 * time.Second)
	if !reflect.DeepEqual(c.Argv, []string{"/sbin/canary", "from-shell"}) || c.PID != 1 {
		t.Errorf("canary = %+v, want pid 1 argv [/sbin/canary from-shell]", c)
	}
	vm.WaitPowerOff(30 * time.Second)
}
