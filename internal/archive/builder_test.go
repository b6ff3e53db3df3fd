package archive

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestBuilderErrors(t *testing.T) {
	tests := []struct {
		name string
		do   func(b *Builder) error
		err  string
	}{
		{"duplicate file", func(b *Builder) error {
			b.AddFile("/init", nil, 0o755)
			return b.AddFile("init", nil, 0o755)
		}, `add file "init": already in the archive as file`},
		{"file over dir", func(b *Builder) error {
			b.AddDir("/proc", 0o555)
			return b.AddSymlink("/proc", "x")
		}, `add symlink "/proc": already in the archive as directory`},
		{"dir over file", func(b *Builder) error {
			b.AddFile("/etc/x", nil, 0o644)
			return b.AddDir("/etc/x", 0o755)
		}, `add dir "/etc/x": already in the archive as file`},
		{"parent is a file", func(b *Builder) error {
			b.AddFile("/init", nil, 0o755)
			return b.AddFile("/init/x", nil, 0o644)
		}, `add file "/init/x": parent "init" is a file, not a directory`},
		{"parent is a symlink", func(b *Builder) error {
			b.AddSymlink("/lib64", "lib")
			return b.AddDir("/lib64/x", 0o755)
		}, `add dir "/lib64/x": parent "lib64" is a symlink, not a directory`},
		{"type bits in mode", func(b *Builder) error {
			return b.AddFile("/x", nil, fs.ModeDir|0o755)
		}, `add file "/x": mode drwxr-xr-x: want permission bits only (like 0644), not a file type`},
		{"bad name", func(b *Builder) error {
			return b.AddCharDev("/dev/../null", 0o666, 1, 3)
		}, `add char device "/dev/../null": path "/dev/../null" has a ".." component`},
		{"root", func(b *Builder) error {
			return b.AddDir("/", 0o755)
		}, `add dir "/": path "/" is the archive root`},
		{"empty symlink", func(b *Builder) error {
			return b.AddSymlink("/x", "")
		}, `add symlink "/x": empty target`},
		{"host file missing", func(b *Builder) error {
			return b.AddFileFromHost("/x", "/nonexistent/file", 0o644)
		}, `add file "/x": stat /nonexistent/file: no such file or directory`},
		{"host file is a dir", func(b *Builder) error {
			return b.AddFileFromHost("/x", "/", 0o644)
		}, `add file "/x": "/" is not a regular file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do(New(0))
			if err == nil || err.Error() != tt.err {
				t.Errorf("error = %v, want %q", err, tt.err)
			}
		})
	}
}

// sample builds an archive with every kind of record, added out of order.
func sample(t *testing.T, epoch int64) *Builder {
	t.Helper()
	host := filepath.Join(t.TempDir(), "host")
	if err := os.WriteFile(host, []byte("from the host\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b := New(epoch)
	steps := []error{
		b.AddFile("/lib/modules/6.1/kernel/a.ko", []byte("module a"), 0o644),
		b.AddSymlink("/lib/goinit/modprobe", "/init"),
		b.AddFile("/init", []byte("#!goinit\n"), 0o755),
		b.AddDir("/tmp", 0o1777),
		b.AddDir("/proc", 0o555),
		b.AddCharDev("/dev/console", 0o600, 5, 1),
		b.AddCharDev("/dev/null", 0o666, 1, 3),
		b.AddFileFromHost("/etc/host.txt", host, 0o640),
		b.AddFile("/empty", nil, 0o644),
		b.AddFile("/bin/su", []byte("x"), fs.ModeSetuid|0o755),
		b.AddDir("/lib", 0o700), // after its children: sets the mode of the parent made for them
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	b := sample(t, 1700000000)
	var buf bytes.Buffer
	n, err := b.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) || n%4 != 0 {
		t.Errorf("WriteTo returned %d, wrote %d bytes; want equal and a multiple of 4", n, buf.Len())
	}
	im, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name   string
		mode   uint32
		data   string
		target string
		major  uint32
		minor  uint32
	}{
		{".", TypeDir | 0o755, "", "", 0, 0},
		{"bin", TypeDir | 0o755, "", "", 0, 0},
		{"bin/su", TypeRegular | 0o4755, "x", "", 0, 0},
		{"dev", TypeDir | 0o755, "", "", 0, 0},
		{"dev/console", TypeChar | 0o600, "", "", 5, 1},
		{"dev/null", TypeChar | 0o666, "", "", 1, 3},
		{"empty", TypeRegular | 0o644, "", "", 0, 0},
		{"etc", TypeDir | 0o755, "", "", 0, 0},
		{"etc/host.txt", TypeRegular | 0o640, "from the host\n", "", 0, 0},
		{"init", TypeRegular | 0o755, "#!goinit\n", "", 0, 0},
		{"lib", TypeDir | 0o700, "", "", 0, 0},
		{"lib/goinit", TypeDir | 0o755, "", "", 0, 0},
		{"lib/goinit/modprobe", TypeSymlink | 0o777, "", "/init", 0, 0},
		{"lib/modules", TypeDir | 0o755, "", "", 0, 0},
		{"lib/modules/6.1", TypeDir | 0o755, "", "", 0, 0},
		{"lib/modules/6.1/kernel", TypeDir | 0o755, "", "", 0, 0},
		{"lib/modules/6.1/kernel/a.ko", TypeRegular | 0o644, "module a", "", 0, 0},
		{"proc", TypeDir | 0o555, "", "", 0, 0},
		{"tmp", TypeDir | 0o1777, "", "", 0, 0},
	}
	if len(im.Entries) != len(want) {
		for _, e := range im.Entries {
			t.Log(e)
		}
		t.Fatalf("got %d entries, want %d", len(im.Entries), len(want))
	}
	if len(im.Segments) != 1 || im.Segments[0] != None {
		t.Errorf("segments = %v, want [none]", im.Segments)
	}
	for i, w := range want {
		e := im.Entries[i]
		if e.Name != w.name || e.Mode != w.mode || string(e.Data) != w.data || e.Target != w.target || e.Rmajor != w.major || e.Rminor != w.minor {
			t.Errorf("entry %d = %q %#o data %q target %q dev %d,%d; want %q %#o data %q target %q dev %d,%d",
				i, e.Name, e.Mode, e.Data, e.Target, e.Rmajor, e.Rminor, w.name, w.mode, w.data, w.target, w.major, w.minor)
		}
		if e.Ino != uint32(i+1) || e.UID != 0 || e.GID != 0 || e.MTime != 1700000000 {
			t.Errorf("entry %q: ino %d uid %d gid %d mtime %d; want ino %d, 0, 0, 1700000000", e.Name, e.Ino, e.UID, e.GID, e.MTime, i+1)
		}
		wantLinks := uint32(1)
		if w.mode&TypeMask == TypeDir {
			wantLinks = 2
		}
		if e.NLink != wantLinks {
			t.Errorf("entry %q: nlink %d, want %d", e.Name, e.NLink, wantLinks)
		}
	}
	if b.Len() != len(want)-1 || !b.Has("/lib/goinit") || b.Has("/lib/nothing") {
		t.Errorf("Len() = %d, Has(/lib/goinit) = %v, Has(/lib/nothing) = %v", b.Len(), b.Has("/lib/goinit"), b.Has("/lib/nothing"))
	}
}

func TestAddOrderDoesNotMatter(t *testing.T) {
	a, b := New(0), New(0)
	a.AddFile("/x/y", []byte("1"), 0o644)
	a.AddFile("/a", []byte("2"), 0o644)
	b.AddFile("/a", []byte("2"), 0o644)
	b.AddFile("/x/y", []byte("1"), 0o644)
	var ba, bb bytes.Buffer
	if _, err := a.WriteTo(&ba); err != nil {
		t.Fatal(err)
	}
	if _, err := b.WriteTo(&bb); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ba.Bytes(), bb.Bytes()) {
		t.Error("archives differ although the same records were added in another order")
	}
}

func TestHostFileChanged(t *testing.T) {
	host := filepath.Join(t.TempDir(), "f")
	os.WriteFile(host, []byte("abc"), 0o644)
	b := New(0)
	if err := b.AddFileFromHost("/f", host, 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(host, []byte("abcdef"), 0o644)
	var buf bytes.Buffer
	_, err := b.WriteTo(&buf)
	want := `write archive record "f": "` + host + `": file changed size since it was added (3 bytes then, 6 now)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}
