package build

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeBzImage is a setup header as the x86 boot protocol lays it out, with version at ptr+0x200.
func fakeBzImage(protocol uint16, ptr uint16, version string) []byte {
	b := make([]byte, 0x4000)
	copy(b[bzMagicOff:], "HdrS")
	binary.LittleEndian.PutUint16(b[bzVersionOff:], protocol)
	binary.LittleEndian.PutUint16(b[bzKernVerOff:], ptr)
	copy(b[int(ptr)+0x200:], version+"\x00")
	return b
}

func TestBzImageRelease(t *testing.T) {
	good := fakeBzImage(0x20f, 0x3000, "6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)")
	if rel, err := BzImageRelease(good); err != nil || rel != "6.1.0-56-amd64" {
		t.Errorf("BzImageRelease = %q, %v; want 6.1.0-56-amd64", rel, err)
	}
	noEnd := fakeBzImage(0x20f, 0x3000, "6.1.0")
	for i := 0x3200; i < len(noEnd); i++ {
		noEnd[i] = 'x'
	}
	bad := []struct {
		name string
		head []byte
		want string
	}{
		{"empty", nil, "not an x86 bzImage"},
		{"no magic", make([]byte, 0x1000), "not an x86 bzImage"},
		{"old protocol", fakeBzImage(0x1ff, 0x3000, "6.1.0"), "boot protocol 0x1ff is older than 2.00"},
		{"pointer out of range", fakeBzImage(0x20f, 0x3000, "6.1.0")[:0x3100], "the version pointer 0x3000 lies outside the header"},
		{"zero pointer", fakeBzImage(0x20f, 0, ""), "the version pointer 0x0"},
		{"no end", noEnd, "has no end"},
		{"not a release", fakeBzImage(0x20f, 0x3000, "Linux version x"), `the version string "Linux version x" does not start with a release`},
	}
	for _, b := range bad {
		rel, err := BzImageRelease(b.head)
		if err == nil || !errors.Is(err, ErrNotBzImage) || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: BzImageRelease = %q, %v; want ErrNotBzImage saying %q", b.name, rel, err, b.want)
		}
	}
}

func TestKernelImageReleaseFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "vmlinuz")
	if err := os.WriteFile(p, fakeBzImage(0x20f, 0x3000, "6.1.0-99-amd64 (x) #1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if rel, err := KernelImageRelease(p); err != nil || rel != "6.1.0-99-amd64" {
		t.Errorf("KernelImageRelease = %q, %v", rel, err)
	}
	short := filepath.Join(dir, "short")
	if err := os.WriteFile(short, []byte("tiny"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := KernelImageRelease(short); !errors.Is(err, ErrNotBzImage) || !strings.Contains(err.Error(), `"`+short+`"`) {
		t.Errorf("a 4-byte file: %v; want ErrNotBzImage naming the file", err)
	}
	if _, err := KernelImageRelease(filepath.Join(dir, "missing")); err == nil || errors.Is(err, ErrNotBzImage) {
		t.Errorf("a missing file: %v; want the open error", err)
	}
}

// The installed Debian kernels are the real input: each /boot/vmlinuz-R must read as R.
func TestKernelImageReleaseInstalled(t *testing.T) {
	files, _ := filepath.Glob("/boot/vmlinuz-*")
	if len(files) == 0 {
		t.Skip("no /boot/vmlinuz-* on this machine (make test installs one for the e2e tests)")
	}
	for _, f := range files {
		rel, err := KernelImageRelease(f)
		if want := strings.TrimPrefix(filepath.Base(f), "vmlinuz-"); err != nil || rel != want {
			t.Errorf("KernelImageRelease(%s) = %q, %v; want %q", f, rel, err, want)
		}
	}
}
