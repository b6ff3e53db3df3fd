package boot

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFindInit(t *testing.T) {
	root := t.TempDir()
	mk := func(p string, mode os.FileMode) {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte("x"), mode); err != nil {
			t.Fatal(err)
		}
	}
	mk("usr/lib/systemd/systemd", 0o755)
	mk("etc/init", 0o644) // not executable
	os.MkdirAll(filepath.Join(root, "usr/sbin"), 0o755)
	os.Symlink("usr/sbin", filepath.Join(root, "sbin"))                          // merged /usr, relative link
	os.Symlink("/usr/lib/systemd/systemd", filepath.Join(root, "usr/sbin/init")) // absolute link inside the root
	os.Symlink("/../../../../etc/passwd", filepath.Join(root, "bin-escape"))

	got, err := FindInit(root, "")
	if err != nil || got != "/sbin/init" {
		t.Fatalf("FindInit default = %q, %v; want /sbin/init", got, err)
	}
	if _, err := FindInit(root, "/etc/init"); err == nil || err.Error() != "find init /etc/init in the root: not an executable file (mode -rw-r--r--)" {
		t.Fatalf("non-executable init: err = %v", err)
	}
	if _, err := FindInit(root, "/bin/missing"); err == nil {
		t.Fatal("missing init: no error")
	}
	if _, err := FindInit(root, "/bin-escape"); err == nil {
		t.Fatal("link escaping the root resolved to a host file")
	}
	empty := t.TempDir()
	if _, err := FindInit(empty, ""); err == nil || err.Error() != "find init in the root: none of /sbin/init, /etc/init, /bin/init, /bin/sh exists and is executable" {
		t.Fatalf("empty root: err = %v", err)
	}
}
