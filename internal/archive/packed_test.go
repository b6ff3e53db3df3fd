package archive

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"slices"
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
		b.AddPackedFile("/lib/modules/k/kernel/a.ko.zst", packed, 0o644),
		b.AddPackedFile("/lib/modules/k/kernel/net/b.ko.zst", packed[:5], 0o644),
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
	if err := b.AddPackedFile("/m.ko.zst", []byte("x"), 0o644); err != nil {
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
