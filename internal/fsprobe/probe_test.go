package fsprobe

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updateSeeds = flag.Bool("fsprobe.update-seeds", false, "rewrite testdata/fuzz seeds from the real images the tests build")

// imageCase builds one real filesystem image with the real tool and says what Probe must
// find on it. blkid (util-linux) is the oracle for every filesystem it knows.
type imageCase struct {
	name  string
	build func(t *testing.T, dir string) string
	want  FS
	// noBlkid: blkid has no prober for this type (jffs2); only want is checked.
	noBlkid bool
	// wantExact: want.UUID comes from the tool's arguments; when false (iso9660: the UUID is
	// the build time) only blkid's value is compared.
	wantExact bool
}

const (
	uuidA = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
	uuidB = "a1b2c3d4-e5f6-4789-8abc-def012345678"
)

func mkfs(tool string, size int64, args ...string) func(t *testing.T, dir string) string {
	return func(t *testing.T, dir string) string {
		img := sparseFile(t, dir, "fs.img", size)
		run(t, tool, append(args, img)...)
		return img
	}
}

func imageCases() []imageCase {
	const mib = 1 << 20
	return []imageCase{
		{name: "ext2", build: mkfs("mkfs.ext2", 8*mib, "-q", "-F", "-L", "root2", "-U", uuidA),
			want: FS{"ext2", uuidA, "root2"}, wantExact: true},
		{name: "ext3", build: mkfs("mkfs.ext3", 8*mib, "-q", "-F", "-L", "root3", "-U", uuidA),
			want: FS{"ext3", uuidA, "root3"}, wantExact: true},
		{name: "ext4", build: mkfs("mkfs.ext4", 16*mib, "-q", "-F", "-L", "my root", "-U", uuidB),
			want: FS{"ext4", uuidB, "my root"}, wantExact: true},
		{name: "ext4-nojournal", build: mkfs("mkfs.ext4", 8*mib, "-q", "-F", "-O", "^has_journal", "-U", uuidA),
			want: FS{"ext4", uuidA, ""}, wantExact: true},
		{name: "ext2-1k-blocks-no-label", build: mkfs("mkfs.ext2", 2*mib, "-q", "-F", "-b", "1024", "-U", uuidB),
			want: FS{"ext2", uuidB, ""}, wantExact: true},
		{name: "xfs", build: mkfs("mkfs.xfs", 300*mib, "-q", "-f", "-L", "xroot", "-m", "uuid="+uuidA),
			want: FS{"xfs", uuidA, "xroot"}, wantExact: true},
		{name: "btrfs", build: mkfs("mkfs.btrfs", 128*mib, "-q", "-f", "-L", "b root", "-U", uuidB),
			want: FS{"btrfs", uuidB, "b root"}, wantExact: true},
		{name: "vfat12", build: mkfs("mkfs.vfat", 1*mib, "-F", "12", "-n", "BOOT12", "-i", "1234ABCD"),
			want: FS{"vfat", "1234-ABCD", "BOOT12"}, wantExact: true},
		{name: "vfat16", build: mkfs("mkfs.vfat", 32*mib, "-F", "16", "-n", "EFI SYS", "-i", "00c0ffee"),
			want: FS{"vfat", "00C0-FFEE", "EFI SYS"}, wantExact: true},
		{name: "vfat32", build: mkfs("mkfs.vfat", 64*mib, "-F", "32", "-n", "DATA32", "-i", "deadbeef"),
			want: FS{"vfat", "DEAD-BEEF", "DATA32"}, wantExact: true},
		{name: "vfat-no-label", build: mkfs("mkfs.vfat", 4*mib, "-i", "0a0b0c0d"),
			want: FS{"vfat", "0A0B-0C0D", ""}, wantExact: true},
		{name: "vfat-root-dir-label-wins", build: func(t *testing.T, dir string) string {
			img := mkfs("mkfs.vfat", 16*mib, "-F", "16", "-n", "ROOTDIR", "-i", "11112222")(t, dir)
			patchFile(t, img, fat16OffLabel, []byte("BOOTSECT   "))
			return img
		}, want: FS{"vfat", "1111-2222", "ROOTDIR"}, wantExact: true},
		{name: "vfat-boot-label-only", build: func(t *testing.T, dir string) string {
			// blkid prints this one as LABEL_FATBOOT; Probe falls back to it as the label
			img := mkfs("mkfs.vfat", 16*mib, "-F", "16", "-i", "33334444")(t, dir)
			patchFile(t, img, fat16OffLabel, []byte("BOOTONLY   "))
			return img
		}, want: FS{"vfat", "3333-4444", "BOOTONLY"}, wantExact: true},
		{name: "squashfs", build: func(t *testing.T, dir string) string {
			img := filepath.Join(dir, "fs.img")
			run(t, "mksquashfs", treeDir(t), img, "-noappend", "-quiet", "-no-progress")
			return img
		}, want: FS{Type: "squashfs"}, wantExact: true},
		{name: "erofs", build: func(t *testing.T, dir string) string {
			img := filepath.Join(dir, "fs.img")
			run(t, "mkfs.erofs", "--quiet", "-U"+uuidA, img, treeDir(t))
			// mkfs.erofs 1.5 has no label option: write the volume name field
			patchFile(t, img, erofsSuperOffset+64, []byte("erofs-root"))
			return img
		}, want: FS{"erofs", uuidA, "erofs-root"}, wantExact: true},
		{name: "swap", build: mkfs("mkswap", 1*mib, "-L", "swap0", "-U", uuidB),
			want: FS{"swap", uuidB, "swap0"}, wantExact: true},
		{name: "swap-64k-pages", build: mkfs("mkswap", 2*mib, "-p", "65536", "-U", uuidA),
			want: FS{"swap", uuidA, ""}, wantExact: true},
		{name: "iso9660", build: func(t *testing.T, dir string) string {
			img := filepath.Join(dir, "fs.img")
			run(t, "genisoimage", "-quiet", "-V", "MYISO", "-o", img, treeDir(t))
			return img
		}, want: FS{Type: "iso9660", Label: "MYISO"}},
		{name: "iso9660-joliet-long", build: func(t *testing.T, dir string) string {
			// Joliet holds 16 characters; the label is rebuilt with the rest of the PVD's
			img := filepath.Join(dir, "fs.img")
			run(t, "genisoimage", "-quiet", "-J", "-input-charset", "utf-8",
				"-V", "Debian 12.5.0 amd64 netinst", "-o", img, treeDir(t))
			return img
		}, want: FS{Type: "iso9660", Label: "Debian 12.5.0 amd64 netinst"}},
		{name: "iso9660-joliet-utf8", build: func(t *testing.T, dir string) string {
			// the PVD copy is not a prefix match (è is not ASCII): Joliet's 16 characters win
			img := filepath.Join(dir, "fs.img")
			run(t, "genisoimage", "-quiet", "-J", "-input-charset", "utf-8",
				"-V", "Live Système 2024 amd64", "-o", img, treeDir(t))
			return img
		}, want: FS{Type: "iso9660", Label: "Live Système 202"}},
		{name: "jffs2-le", build: func(t *testing.T, dir string) string {
			img := filepath.Join(dir, "fs.img")
			run(t, "mkfs.jffs2", "-l", "-r", treeDir(t), "-o", img)
			return img
		}, want: FS{Type: "jffs2"}, noBlkid: true, wantExact: true},
		{name: "jffs2-be", build: func(t *testing.T, dir string) string {
			img := filepath.Join(dir, "fs.img")
			run(t, "mkfs.jffs2", "-b", "-r", treeDir(t), "-o", img)
			return img
		}, want: FS{Type: "jffs2"}, noBlkid: true, wantExact: true},
		{name: "f2fs", build: mkfs("mkfs.f2fs", 64*mib, "-q", "-f", "-l", "fläsh", "-U", uuidB),
			want: FS{"f2fs", uuidB, "fläsh"}, wantExact: true},
	}
}

func patchFile(t *testing.T, path string, off int64, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(data, off); err != nil {
		t.Fatal(err)
	}
}

// TestProbeRealImages builds every supported filesystem with its own mkfs and checks Probe
// against the expected values and against `blkid -p -o export` for the same file.
func TestProbeRealImages(t *testing.T) {
	for _, tc := range imageCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			img := tc.build(t, t.TempDir())
			r, size := openChecked(t, img)
			got, err := Probe(r, size)
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if r.read > MaxProbeRead {
				t.Errorf("Probe read %d bytes, more than MaxProbeRead (%d)", r.read, MaxProbeRead)
			}
			want := tc.want
			if !tc.wantExact {
				want.UUID = got.UUID // compared with blkid below
			}
			if *got != want {
				t.Errorf("Probe = %+v, want %+v", *got, want)
			}
			if !tc.noBlkid {
				b := blkidExport(t, img)
				label := b["LABEL"]
				if label == "" {
					label = b["LABEL_FATBOOT"] // Probe's documented fallback for FAT
				}
				oracle := FS{Type: b["TYPE"], UUID: b["UUID"], Label: label}
				if *got != oracle {
					t.Errorf("Probe = %+v, blkid -p says %+v (%v)", *got, oracle, b)
				}
				if !tc.wantExact && got.UUID == "" {
					t.Errorf("Probe found no UUID; blkid says %q", b["UUID"])
				}
			}
			if *updateSeeds {
				writeSeed(t, "FuzzProbe", tc.name, sparseSeed(t, img, 0, MaxProbeRead))
			}
		})
	}
}

func TestProbeUnknown(t *testing.T) {
	random := make([]byte, 256<<10)
	x := uint32(2463534242)
	for i := range random { // xorshift: reproducible noise
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		random[i] = byte(x)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "probe filesystem: no ext2/3/4, xfs, btrfs, squashfs, erofs, vfat, iso9660, swap, jffs2 or f2fs signature in 0 bytes: unknown filesystem"},
		{"zeros", make([]byte, 1<<20), "probe filesystem: no ext2/3/4, xfs, btrfs, squashfs, erofs, vfat, iso9660, swap, jffs2 or f2fs signature in 1048576 bytes: unknown filesystem"},
		{"noise", random, "probe filesystem: no ext2/3/4, xfs, btrfs, squashfs, erofs, vfat, iso9660, swap, jffs2 or f2fs signature in 262144 bytes: unknown filesystem"},
		{"ext magic in a tiny device", append(make([]byte, 1080), 0x53, 0xEF), "probe filesystem: no ext2/3/4, xfs, btrfs, squashfs, erofs, vfat, iso9660, swap, jffs2 or f2fs signature in 1082 bytes: unknown filesystem"},
		{"jffs2 magic with a bad CRC", append([]byte{0x85, 0x19, 0x01, 0xe0, 0x44, 0, 0, 0, 1, 2, 3, 4}, make([]byte, 4096)...), "probe filesystem: no ext2/3/4, xfs, btrfs, squashfs, erofs, vfat, iso9660, swap, jffs2 or f2fs signature in 4108 bytes: unknown filesystem"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &checkedReader{t: t, r: bytes.NewReader(tc.data), size: int64(len(tc.data))}
			fs, err := Probe(r, int64(len(tc.data)))
			if err == nil {
				t.Fatalf("Probe = %+v, want an error", *fs)
			}
			if !errors.Is(err, ErrUnknown) {
				t.Errorf("error %v does not wrap ErrUnknown", err)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %q\nwant %q", err, tc.want)
			}
		})
	}
}

func TestProbeBadArguments(t *testing.T) {
	if _, err := Probe(nil, 10); err == nil || err.Error() != "probe filesystem: no reader" {
		t.Errorf("Probe(nil) error = %v", err)
	}
	_, err := Probe(bytes.NewReader(nil), -1)
	if err == nil || err.Error() != "probe filesystem: device size -1: must not be negative" {
		t.Errorf("Probe(size -1) error = %v", err)
	}
}

// failingReader fails every read, like a device with a media error.
type failingReader struct{}

func (failingReader) ReadAt([]byte, int64) (int, error) { return 0, errors.New("input/output error") }

func TestProbeReadError(t *testing.T) {
	_, err := Probe(failingReader{}, 1<<20)
	want := "probe filesystem: vfat: read 4096 bytes at offset 0: input/output error"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
	if errors.Is(err, ErrUnknown) {
		t.Error("an I/O error must not look like an unknown filesystem")
	}
}

// TestProbeDeviceSmallerThanClaimed: a reader that ends before size (a short read at EOF)
// must not break probing of what is there.
func TestProbeDeviceSmallerThanClaimed(t *testing.T) {
	t.Parallel()
	img := mkfs("mkfs.ext4", 4<<20, "-q", "-F", "-L", "short", "-U", uuidA)(t, t.TempDir())
	data, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	data = data[:3000]
	fs, err := Probe(bytes.NewReader(data), 4<<20)
	if err != nil {
		t.Fatalf("Probe: %v", err)
	}
	if want := (FS{"ext4", uuidA, "short"}); *fs != want {
		t.Errorf("Probe = %+v, want %+v", *fs, want)
	}
}
