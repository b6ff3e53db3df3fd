package archive

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPackedFilesLeadUncompressed checks the layout of a compressed image with packed files:
// an uncompressed archive of the packed files and their directories first, stored byte for
// byte, then the compressed archive of the rest; every record comes back once, directories
// aside, and no inode number is used twice.
func TestPackedFilesLeadUncompressed(t *testing.T) {
	packed := make([]byte, 4099) // not a multiple of 4: the padding must still be right
	rand.Read(packed)
	b := New(0)
	steps := []error{
		b.AddPackedFileFunc("/lib/modules/k/kernel/a.ko.zst", 0o644, bytesOf(packed)),
		b.AddPackedFileFunc("/lib/modules/k/kernel/net/b.ko.zst", 0o644, bytesOf(packed[:5])),
		b.AddFile("/lib/modules/k/modules.dep", []byte("kernel/a.ko.zst:\n"), 0o644),
		b.AddFile("/init", bytes.Repeat([]byte("goinit "), 1000), 0o755),
		b.AddSymlink("/bin/sh", "busybox"),
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []Compression{Zstd, Gzip, XZ, LZ4} {
		t.Run(string(c), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "img")
			sz, err := b.WriteFile(out, WriteOptions{Compression: c})
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, packed) {
				t.Error("the packed file is not stored as is in the image")
			}
			if bytes.Contains(data, []byte("goinit goinit goinit")) {
				t.Error("/init is stored uncompressed")
			}
			im, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if want := []Compression{None, c}; !slices.Equal(im.Segments, want) {
				t.Errorf("segments %v, want %v", im.Segments, want)
			}
			var plain bytes.Buffer
			n, err := b.WriteTo(&plain)
			if err != nil {
				t.Fatal(err)
			}
			if sz.Archive <= n {
				t.Errorf("archive size %d, want more than the single archive's %d (directories are in both parts)", sz.Archive, n)
			}
			files := map[string]int{}
			inos := map[uint32]string{}
			for _, e := range im.Entries {
				if e.Mode&TypeMask == TypeDir {
					continue
				}
				files[e.Name]++
				if other, dup := inos[e.Ino]; dup {
					t.Errorf("inode %d used by %q and %q", e.Ino, other, e.Name)
				}
				inos[e.Ino] = e.Name
			}
			for _, name := range []string{"lib/modules/k/kernel/a.ko.zst", "lib/modules/k/kernel/net/b.ko.zst", "lib/modules/k/modules.dep", "init", "bin/sh"} {
				if files[name] != 1 {
					t.Errorf("%q appears %d times, want once", name, files[name])
				}
			}
			if e, ok := im.Lookup("lib/modules/k/kernel/a.ko.zst"); !ok || !bytes.Equal(e.Data, packed) {
				t.Error("the packed file does not read back")
			}
			// The first archive holds only the packed files and their directories.
			first, _, err := ParseNewc(data)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range first {
				if e.Mode&TypeMask != TypeDir && filepath.Ext(e.Name) != ".zst" {
					t.Errorf("the uncompressed archive holds %q", e.Name)
				}
			}
		})
	}
}

// TestPackedFilesUncompressedImage: without compression there is one archive, packed files in it.
func TestPackedFilesUncompressedImage(t *testing.T) {
	b := New(0)
	if err := b.AddPackedFileFunc("/m.ko.zst", 0o644, bytesOf([]byte("x"))); err != nil {
		t.Fatal(err)
	}
	if err := b.AddFile("/init", []byte("y"), 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "img")
	if _, err := b.WriteFile(out, WriteOptions{Compression: None}); err != nil {
		t.Fatal(err)
	}
	im, err := ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Segments) != 1 || len(im.Entries) != 3 {
		t.Errorf("segments %v, %d records; want one archive of 3 records", im.Segments, len(im.Entries))
	}
}

// TestPackedFileFunc: contents still being made are waited for, taken once, and stored like
// ready ones; an error from them fails the write and leaves no file.
func TestPackedFileFunc(t *testing.T) {
	release := make(chan struct{})
	calls := 0
	b := New(0)
	err := b.AddPackedFileFunc("/lib/m.ko.zst", 0o644, func() ([]byte, error) {
		calls++
		<-release
		return []byte("packed module"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.AddFile("/init", bytes.Repeat([]byte("goinit "), 100), 0o755); err != nil {
		t.Fatal(err)
	}
	close(release)
	out := filepath.Join(t.TempDir(), "img")
	if _, err := b.WriteFile(out, WriteOptions{Compression: Zstd}); err != nil {
		t.Fatal(err)
	}
	im, err := ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := im.Lookup("lib/m.ko.zst"); !ok || string(e.Data) != "packed module" {
		t.Errorf("lib/m.ko.zst reads back as %q (found %v)", e.Data, ok)
	}
	if calls != 1 {
		t.Errorf("contents called %d times, want once", calls)
	}
	if len(im.Segments) != 2 {
		t.Errorf("segments %v, want two", im.Segments)
	}

	bad := New(0)
	if err := bad.AddPackedFileFunc("/m.ko.zst", 0o644, func() ([]byte, error) { return nil, errors.New("zstd failed") }); err != nil {
		t.Fatal(err)
	}
	bad.AddFile("/init", []byte("x"), 0o755)
	out = filepath.Join(t.TempDir(), "bad")
	if _, err := bad.WriteFile(out, WriteOptions{Compression: Zstd}); err == nil || !strings.Contains(err.Error(), "zstd failed") {
		t.Errorf("write error = %v, want the contents' error", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed write left %s (%v)", out, err)
	}
	if err := bad.AddPackedFileFunc("/n.ko.zst", 0o644, nil); err == nil {
		t.Error("nil contents accepted")
	}
}

// bytesOf returns contents for AddPackedFileFunc that are ready.
func bytesOf(data []byte) func() ([]byte, error) {
	return func() ([]byte, error) { return data, nil }
}
