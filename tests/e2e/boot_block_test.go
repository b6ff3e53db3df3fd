//go:build e2e

package e2e

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestBootExt4Root boots goinit with an ext4 root on a local disk, named in each way a user
// writes root=, and checks that the canary runs as PID 1 on that very image, read-only.
func TestBootExt4Root(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		bus    string
		root   func(Ext4) string
		source string
	}{
		{"virtio_dev_path", "virtio", func(Ext4) string { return "root=/dev/vda" }, "/dev/vda"},
		{"virtio_uuid", "virtio", func(e Ext4) string { return "root=UUID=" + e.UUID }, "/dev/vda"},
		{"virtio_label", "virtio", func(e Ext4) string { return "root=LABEL=" + e.Label }, "/dev/vda"},
		{"ahci_label", "ahci", func(e Ext4) string { return "root=LABEL=" + e.Label }, "/dev/sda"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newTestRoot(t)
			vm := bootGoinit(t, []Disk{{Path: r.Img, Bus: tt.bus}}, tt.root(r.FS), r.IDCheck)
			c := vm.WaitCanary(bootWait)
			want := Canary{PID: 1, Argv: []string{"/sbin/init"}, Root: "ro", FSType: "ext4", Source: tt.source, At: c.At}
			if !reflect.DeepEqual(c, want) {
				t.Errorf("canary = %+v, want %+v", c, want)
			}
			if status, detail := vm.Check("sha256", "/etc/goinit-test-id", bootWait); status != "ok" {
				t.Errorf("root image id check: %s %s (is this the test's image?)", status, detail)
			}
			vm.WaitPowerOff(bootWait)
		})
	}
}

// TestBootInitArgsRW: init= with arguments after "--" reach the real init's argv, and rw mounts
// the root writable.
func TestBootInitArgsRW(t *testing.T) {
	t.Parallel()
	r := newTestRoot(t)
	vm := bootGoinit(t, []Disk{{Path: r.Img}},
		"root=LABEL="+r.FS.Label, "init=/sbin/init", "rw", "canary.write=/canary-rw",
		"canary.cat=/run/goinit/timeline.json", "--", "alpha", "beta")
	c := vm.WaitCanary(bootWait)
	if !reflect.DeepEqual(c.Argv, []string{"/sbin/init", "alpha", "beta"}) {
		t.Errorf("argv = %q, want [/sbin/init alpha beta]", c.Argv)
	}
	if c.Root != "rw" || c.PID != 1 || c.FSType != "ext4" {
		t.Errorf("canary = %+v, want pid 1 on a rw ext4 root", c)
	}
	if status, detail := vm.Check("write", "/canary-rw", bootWait); status != "ok" {
		t.Errorf("write to the rw root: %s %s", status, detail)
	}
	// The booted system finds goinit's timeline, with the steps it took.
	for _, step := range []string{"coldplug: load drivers", "attach block LABEL=", "mount the root on /newroot", "switch_root /newroot /sbin/init"} {
		vm.WaitFor(`GOINIT-CANARY-CAT .*"name": "`+regexp.QuoteMeta(step), 30*time.Second)
	}
	vm.WaitPowerOff(bootWait)
}

// TestBootReadOnly: ro mounts the root read-only, and a write to it fails.
func TestBootReadOnly(t *testing.T) {
	t.Parallel()
	r := newTestRoot(t)
	vm := bootGoinit(t, []Disk{{Path: r.Img}}, "root=LABEL="+r.FS.Label, "ro", "canary.write=/canary-ro")
	c := vm.WaitCanary(bootWait)
	if c.Root != "ro" || c.PID != 1 || c.FSType != "ext4" {
		t.Errorf("canary = %+v, want pid 1 on a ro ext4 root", c)
	}
	status, detail := vm.Check("write", "/canary-ro", bootWait)
	if status != "failed" || !strings.Contains(detail, "read-only file system") {
		t.Errorf("write to the ro root: %s %s, want failed … read-only file system", status, detail)
	}
	vm.WaitPowerOff(bootWait)
}
