//go:build e2e

package e2e

import (
	"crypto/rand"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// File is one entry put into a root tree or a test initramfs.
type File struct {
	Path string      // absolute path inside the tree, e.g. /etc/hostname
	Data string      // content, unless Src or Link is set
	Src  string      // copy this host file instead
	Link string      // make a symlink to this target instead
	Mode fs.FileMode // permission bits; 0 means 0644 (0755 when copied from an executable)
}

// rootDirs are the directories every test root has.
var rootDirs = []string{"/bin", "/sbin", "/proc", "/sys", "/dev", "/run", "/tmp", "/etc", "/root"}

// osRelease is the root's /etc/os-release (a systemd-style switch_root refuses a tree without one).
const osRelease = "NAME=\"goinit test root\"\nID=goinit-test\nPRETTY_NAME=\"goinit e2e test root\"\n"

// RootTree builds a root filesystem tree in a new temp dir: the usual directories,
// /etc/os-release, the canary (out/canary) at /sbin/init, and files.
func RootTree(t testing.TB, files ...File) string {
	t.Helper()
	canary := env(t).Bin(t, "canary")
	dir := t.TempDir()
	base := []File{
		{Path: "/etc/os-release", Data: osRelease},
		{Path: "/sbin/init", Src: canary, Mode: 0o755},
	}
	writeTree(t, dir, rootDirs, append(base, files...))
	return dir
}

// BusyboxFiles returns the static busybox at /bin/busybox and a /bin/sh link, for root trees
// whose checks run shell scripts.
func BusyboxFiles(t testing.TB) []File {
	t.Helper()
	bb := Tool(t, "busybox", "busybox-static")
	return []File{{Path: "/bin/busybox", Src: bb, Mode: 0o755}, {Path: "/bin/sh", Link: "busybox"}}
}

// writeTree creates dirs and files under root.
func writeTree(t testing.TB, root string, dirs []string, files []File) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatalf("make tree dir %s: %v", d, err)
		}
	}
	for _, f := range files {
		if err := writeFile(root, f); err != nil {
			t.Fatalf("make tree file %s: %v", f.Path, err)
		}
	}
}

func writeFile(root string, f File) error {
	if !strings.HasPrefix(f.Path, "/") {
		return fmt.Errorf("path %q: want an absolute path inside the tree", f.Path)
	}
	dst := filepath.Join(root, f.Path)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	os.Remove(dst) // replace a base file (e.g. another /sbin/init)
	if f.Link != "" {
		return os.Symlink(f.Link, dst)
	}
	mode := f.Mode
	data := []byte(f.Data)
	if f.Src != "" {
		b, err := os.ReadFile(f.Src)
		if err != nil {
			return err
		}
		data = b
		if mode == 0 {
			if st, err := os.Stat(f.Src); err == nil && st.Mode()&0o111 != 0 {
				mode = 0o755
			}
		}
	}
	if mode == 0 {
		mode = 0o644
	}
	if err := os.WriteFile(dst, data, mode); err != nil {
		return err
	}
	return os.Chmod(dst, mode) // WriteFile's mode goes through the umask
}

// Ext4 describes an ext4 image made from a tree.
type Ext4 struct {
	Label  string // default "goinit-root"
	UUID   string // default a random one (NewUUID)
	SizeMB int    // default 64
}

// Make writes an ext4 image of tree into a new temp dir, without root privileges or loop devices
// (mkfs.ext4 -d), and returns its path. It fills in the defaults of e, so the caller can read
// the label and UUID back.
func (e *Ext4) Make(t testing.TB, tree string) string {
	t.Helper()
	if e.Label == "" {
		e.Label = "goinit-root"
	}
	if e.UUID == "" {
		e.UUID = NewUUID(t)
	}
	if e.SizeMB == 0 {
		e.SizeMB = 64
	}
	img := filepath.Join(t.TempDir(), "root.ext4")
	mkfs := Tool(t, "mkfs.ext4", "e2fsprogs")
	run(t, mkfs, "-q", "-F", "-L", e.Label, "-U", e.UUID, "-E", "root_owner=0:0", "-d", tree, img, strconv.Itoa(e.SizeMB)+"M")
	return img
}

// MakeSquashfs writes a squashfs image of tree into a new temp dir and returns its path.
func MakeSquashfs(t testing.TB, tree string) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "root.squashfs")
	mk := Tool(t, "mksquashfs", "squashfs-tools")
	run(t, mk, tree, img, "-noappend", "-quiet", "-no-progress", "-all-root", "-comp", "xz")
	return img
}

// NewUUID returns a random version 4 UUID.
func NewUUID(t testing.TB) string {
	t.Helper()
	var b [16]byte
	if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
		t.Fatalf("random uuid: %v", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// run runs a command and fails the test with its output when it fails.
func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("run %s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
