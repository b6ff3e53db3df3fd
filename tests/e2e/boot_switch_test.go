//go:build e2e

package e2e

import (
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestSwitchFreesInitramfs boots a local root with rd.debug and checks that the initramfs is
// deleted after the switch by goinit's idle-priority helper: goinit says it started it, and the
// helper's line on /dev/kmsg reports at least goinit's own size freed. canary.sleep gives the
// helper idle time before the canary powers off.
func TestSwitchFreesInitramfs(t *testing.T) {
	t.Parallel()
	vm := bootDebug(t, "root=LABEL=goinit-root rd.debug canary.sleep=3s")
	vm.WaitFor(`goinit: deleting the initramfs in the background \(pid \d+, idle priority, started in \S+\)`, bootWait)
	c := vm.WaitCanary(bootWait)
	if c.Root != "ro" {
		t.Errorf("canary root=%s, want ro", c.Root)
	}
	line := vm.WaitFor(`goinit: freed \d+ KiB of initramfs in the background in \S+`, 30*time.Second)
	m := regexp.MustCompile(`freed (\d+) KiB`).FindStringSubmatch(line)
	freed, _ := strconv.ParseInt(m[1], 10, 64)
	st, err := os.Stat(env(t).Bin(t, "goinit"))
	if err != nil {
		t.Fatal(err)
	}
	if want := st.Size() >> 10; freed < want {
		t.Errorf("the helper freed %d KiB; the initramfs holds goinit alone of %d KiB:\n%s", freed, want, line)
	}
	if status, detail := vm.Check("sleep", "3s", 30*time.Second); status != "ok" {
		t.Errorf("canary.sleep: %s %s", status, detail)
	}
	vm.WaitPowerOff(bootWait)
}
