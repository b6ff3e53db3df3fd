package fsprobe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The real-image tests need these commands; a missing one fails the test and names the
// Debian package to install.
var toolPackages = map[string]string{
	"blkid":       "util-linux",
	"partx":       "util-linux",
	"mkswap":      "util-linux",
	"sfdisk":      "fdisk",
	"mkfs.ext2":   "e2fsprogs",
	"mkfs.ext3":   "e2fsprogs",
	"mkfs.ext4":   "e2fsprogs",
	"mkfs.xfs":    "xfsprogs",
	"mkfs.btrfs":  "btrfs-progs",
	"mkfs.vfat":   "dosfstools",
	"mksquashfs":  "squashfs-tools",
	"mkfs.erofs":  "erofs-utils",
	"mkfs.jffs2":  "mtd-utils",
	"genisoimage": "genisoimage",
	"mkfs.f2fs":   "f2fs-tools",
}

var pathOnce sync.Once

// tool returns the path of a command, failing the test with the package to install when it
// is missing.
func tool(t *testing.T, name string) string {
	t.Helper()
	pathOnce.Do(func() {
		os.Setenv("PATH", os.Getenv("PATH")+":/usr/local/sbin:/usr/sbin:/sbin")
	})
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is needed for this test but is not installed: apt-get install %s", name, toolPackages[name])
	}
	return p
}

// run runs a command and fails the test with its output when it fails.
func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	return runIn(t, nil, name, args...)
}

func runIn(t *testing.T, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(tool(t, name), args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.Bytes()
}

// sparseFile makes an empty file of size bytes in dir.
func sparseFile(t *testing.T, dir, name string, size int64) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return p
}

// treeDir makes a small directory tree to build read-only images from.
func treeDir(t *testing.T) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "tree")
	for _, f := range []struct{ name, body string }{
		{"sbin/init", "#!/bin/sh\necho canary\n"},
		{"etc/hostname", "fsprobe\n"},
		{"README", strings.Repeat("goinit fsprobe test data\n", 200)},
	} {
		p := filepath.Join(d, f.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// blkidExport runs `blkid -p -d -o export` (low-level probing, no cache, values unencoded) on
// a file and returns its KEY=value pairs; nothing found gives an empty map.
func blkidExport(t *testing.T, path string, extra ...string) map[string]string {
	t.Helper()
	args := append([]string{"-p", "-d", "-o", "export"}, extra...)
	cmd := exec.Command(tool(t, "blkid"), append(args, path)...)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 2 { // nothing detected
		return map[string]string{}
	}
	if err != nil {
		t.Fatalf("blkid %s: %v: %s", path, err, errOut.String())
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if ok {
			m[k] = v
		}
	}
	return m
}

// unescapeHex undoes partx's raw output escaping (\xNN).
func unescapeHex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			var c byte
			if _, err := fmt.Sscanf(s[i+2:i+4], "%02x", &c); err == nil {
				b.WriteByte(c)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// checkedReader is an io.ReaderAt that fails the test on any read outside [0, size) and
// counts the bytes read.
type checkedReader struct {
	t    testing.TB
	r    io.ReaderAt
	size int64
	mu   sync.Mutex
	read int64
}

func (c *checkedReader) ReadAt(p []byte, off int64) (int, error) {
	c.t.Helper()
	if off < 0 || off+int64(len(p)) > c.size {
		c.t.Errorf("read of %d bytes at offset %d is outside the %d-byte device", len(p), off, c.size)
	}
	c.mu.Lock()
	c.read += int64(len(p))
	c.mu.Unlock()
	return c.r.ReadAt(p, off)
}

// openChecked opens an image file behind a checkedReader.
func openChecked(t *testing.T, path string) (*checkedReader, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return &checkedReader{t: t, r: f, size: st.Size()}, st.Size()
}
