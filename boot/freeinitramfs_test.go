//go:build linux

package boot

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestRemoveTreeKeepsOnlyKeep(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "newroot")
	for _, f := range []struct {
		path string
		size int
	}{{"init", 3000}, {"lib/modules/k/a.ko.zst", 500}, {"lib/modules/k/modules.dep", 20}, {"newroot/etc/passwd", 7}} {
		p := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, f.size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("init", filepath.Join(dir, "sbin-init")); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		t.Fatal(err)
	}
	freed := removeTree(dir, st.Dev, keep)
	if want := int64(3000 + 500 + 20 + len("init")); freed != want {
		t.Errorf("freed %d bytes, want %d", freed, want)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "newroot" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("left %v, want only newroot", names)
	}
	if _, err := os.Stat(filepath.Join(keep, "etc/passwd")); err != nil {
		t.Errorf("the kept tree lost a file: %v", err)
	}
}

func TestRunFreeInitramfsRefuses(t *testing.T) {
	var out bytes.Buffer
	if code := RunFreeInitramfs(nil, &out); code != 2 || !strings.Contains(out.String(), "want the absolute path of the directory to keep") {
		t.Errorf("no arguments: exit %d, %q", code, out.String())
	}
	out.Reset()
	if code := RunFreeInitramfs([]string{"newroot"}, &out); code != 2 || !strings.Contains(out.String(), `got ["newroot"]`) {
		t.Errorf("relative keep: exit %d, %q", code, out.String())
	}
	// On a machine whose / is a disk (not ramfs or tmpfs) the helper must delete nothing.
	var st unix.Statfs_t
	if err := unix.Statfs("/", &st); err != nil {
		t.Fatal(err)
	}
	if st.Type == unix.RAMFS_MAGIC || st.Type == unix.TMPFS_MAGIC {
		t.Fatalf("this test needs a / that is not ramfs or tmpfs (type %#x)", st.Type)
	}
	out.Reset()
	if code := RunFreeInitramfs([]string{"/newroot"}, &out); code != 1 || !strings.Contains(out.String(), "/ is not the initramfs") {
		t.Errorf("disk root: exit %d, %q", code, out.String())
	}
}
