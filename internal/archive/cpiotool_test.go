package archive

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// GNU cpio lists and extracts what the builder writes.
func TestSystemCpio(t *testing.T) {
	needTool(t, "cpio", "cpio")
	var buf bytes.Buffer
	if _, err := sample(t, 1700000000).WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	list := exec.Command("cpio", "-t", "--quiet")
	list.Stdin = bytes.NewReader(buf.Bytes())
	out, err := list.Output()
	if err != nil {
		t.Fatalf("cpio -t: %v", err)
	}
	want := ". bin bin/su dev dev/console dev/null empty etc etc/host.txt init lib lib/goinit lib/goinit/modprobe " +
		"lib/modules lib/modules/6.1 lib/modules/6.1/kernel lib/modules/6.1/kernel/a.ko proc tmp"
	if got := strings.Join(strings.Fields(string(out)), " "); got != want {
		t.Errorf("cpio -t lists\n%s\nwant\n%s", got, want)
	}

	if os.Geteuid() != 0 {
		t.Skip("extracting device nodes and owners needs root")
	}
	dir := t.TempDir()
	ext := exec.Command("cpio", "-i", "--quiet", "--make-directories", "--preserve-modification-time", "--no-absolute-filenames")
	ext.Dir = dir
	ext.Stdin = bytes.NewReader(buf.Bytes())
	if out, err := ext.CombinedOutput(); err != nil {
		t.Fatalf("cpio -i: %v: %s", err, out)
	}
	checks := []struct {
		name string
		mode os.FileMode
	}{
		{"bin/su", 0o755 | os.ModeSetuid},
		{"dev", os.ModeDir | 0o755},
		{"dev/console", os.ModeDevice | os.ModeCharDevice | 0o600},
		{"dev/null", os.ModeDevice | os.ModeCharDevice | 0o666},
		{"etc/host.txt", 0o640},
		{"init", 0o755},
		{"lib", os.ModeDir | 0o700},
		{"lib/goinit", os.ModeDir | 0o755},
		{"lib/goinit/modprobe", os.ModeSymlink | 0o777},
		{"lib/modules/6.1/kernel", os.ModeDir | 0o755},
		{"proc", os.ModeDir | 0o555},
		{"tmp", os.ModeDir | 0o777 | os.ModeSticky},
	}
	for _, c := range checks {
		fi, err := os.Lstat(filepath.Join(dir, c.name))
		if err != nil {
			t.Error(err)
			continue
		}
		if fi.Mode() != c.mode {
			t.Errorf("%s: mode %v, want %v", c.name, fi.Mode(), c.mode)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != 0 || st.Gid != 0 {
			t.Errorf("%s: owner %d:%d, want 0:0", c.name, st.Uid, st.Gid)
		}
		// Directories get the time their children were extracted; files keep theirs.
		if fi.Mode().IsRegular() && fi.ModTime().Unix() != 1700000000 {
			t.Errorf("%s: mtime %d, want 1700000000", c.name, fi.ModTime().Unix())
		}
	}
	st, _ := os.Lstat(filepath.Join(dir, "dev/console"))
	if rdev := st.Sys().(*syscall.Stat_t).Rdev; rdev != (5<<8 | 1) {
		t.Errorf("dev/console rdev %#x, want 5:1", rdev)
	}
	if l, _ := os.Readlink(filepath.Join(dir, "lib/goinit/modprobe")); l != "/init" {
		t.Errorf("lib/goinit/modprobe -> %q, want /init", l)
	}
	if d, _ := os.ReadFile(filepath.Join(dir, "lib/modules/6.1/kernel/a.ko")); string(d) != "module a" {
		t.Errorf("a.ko holds %q", d)
	}
}
