package netroot

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goinit/goinit/internal/hint"
)

func TestParseRootSpec(t *testing.T) {
	good := map[string]RootSpec{
		"/dev/vda1":                     {Value: "vda1", Raw: "/dev/vda1"},
		"UUID=1234-ABCD":                {Key: "UUID", Value: "1234-ABCD", Raw: "UUID=1234-ABCD"},
		"LABEL=root":                    {Key: "LABEL", Value: "root", Raw: "LABEL=root"},
		"PARTUUID=abc-01":               {Key: "PARTUUID", Value: "abc-01", Raw: "PARTUUID=abc-01"},
		"PARTLABEL=rootfs":              {Key: "PARTLABEL", Value: "rootfs", Raw: "PARTLABEL=rootfs"},
		`/dev/disk/by-label/my\x20root`: {Key: "LABEL", Value: "my root", Raw: `/dev/disk/by-label/my\x20root`},
		"/dev/disk/by-uuid/0a-1b":       {Key: "UUID", Value: "0a-1b", Raw: "/dev/disk/by-uuid/0a-1b"},
	}
	for in, want := range good {
		got, err := ParseRootSpec(in)
		if err != nil || got != want {
			t.Errorf("ParseRootSpec(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"LABEL=", "/dev/", "vda", "/dev/disk/by-path/x", "/dev/../etc"} {
		_, err := ParseRootSpec(in)
		want := `cmdline: root="` + in + `": expected /dev/<name>, UUID=<uuid>, LABEL=<label>, PARTUUID=<uuid> or PARTLABEL=<label>`
		if err == nil || err.Error() != want {
			t.Errorf("ParseRootSpec(%q) error = %v; want %s", in, err, want)
		}
	}
}

// fakeDisk makes <tmp>/sys/class/block/<name> and <tmp>/dev/<name> holding an ext4 image.
func fakeDisk(t *testing.T, root, name, label, uuid string) {
	t.Helper()
	if _, err := exec.LookPath("mkfs.ext4"); err != nil {
		t.Fatal("mkfs.ext4 is needed for this test: apt-get install e2fsprogs")
	}
	dev := filepath.Join(root, "dev", name)
	os.MkdirAll(filepath.Dir(dev), 0o755)
	out, err := exec.Command("mkfs.ext4", "-q", "-F", "-L", label, "-U", uuid, dev, "4M").CombinedOutput()
	if err != nil {
		t.Fatalf("mkfs.ext4: %v\n%s", err, out)
	}
	sys := filepath.Join(root, "sys/class/block", name)
	os.MkdirAll(sys, 0o755)
	os.WriteFile(filepath.Join(sys, "size"), []byte("8192\n"), 0o644)
	os.WriteFile(filepath.Join(sys, "uevent"), []byte("MAJOR=254\nMINOR=0\nDEVNAME="+name+"\nDEVTYPE=disk\n"), 0o644)
}

func TestBlockAttachFindsByLabelUUIDAndPath(t *testing.T) {
	root := t.TempDir()
	fakeDisk(t, root, "vda", "root", "11111111-2222-3333-4444-555555555555")
	env := Env{SysRoot: root, DevRoot: root}
	for _, spec := range []string{"LABEL=root", "UUID=11111111-2222-3333-4444-555555555555", "/dev/vda"} {
		rs, err := ParseRootSpec(spec)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		m, err := NewBlock(rs, env).Attach(ctx)
		cancel()
		if err != nil || m.Source != "/dev/vda" || m.FSType != "ext4" {
			t.Errorf("%s: Attach = %+v, %v; want /dev/vda ext4", spec, m, err)
		}
	}
}

func TestBlockAttachWaitsForALateDevice(t *testing.T) {
	root := t.TempDir()
	changed := make(chan struct{})
	env := Env{SysRoot: root, DevRoot: root, DevChanged: func() <-chan struct{} { return changed }}
	go func() {
		time.Sleep(200 * time.Millisecond)
		fakeDisk(t, root, "vdb", "late", "11111111-2222-3333-4444-666666666666")
		close(changed)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	m, err := NewBlock(RootSpec{Key: "LABEL", Value: "late", Raw: "LABEL=late"}, env).Attach(ctx)
	if err != nil || m.Source != "/dev/vdb" {
		t.Fatalf("Attach = %+v, %v", m, err)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Fatalf("took %s: the device event did not wake the wait", d)
	}
}

func TestBlockNotFoundListsDevices(t *testing.T) {
	root := t.TempDir()
	fakeDisk(t, root, "vda", "root", "11111111-2222-3333-4444-555555555555")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := NewBlock(RootSpec{Key: "LABEL", Value: "missing", Raw: "LABEL=missing"}, Env{SysRoot: root, DevRoot: root}).Attach(ctx)
	if err == nil || err.Error() != "attach block LABEL=missing: no block device LABEL=missing appeared within 0s" {
		t.Fatalf("error = %v", err)
	}
	h := strings.Join(hint.All(err), "\n")
	if h != "block devices seen:\n  vda (4.0 MiB ext4 LABEL=\"root\" UUID=11111111-2222-3333-4444-555555555555)" {
		t.Fatalf("hint = %q", h)
	}
}
