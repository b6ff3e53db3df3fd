package archive

import (
	"bytes"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// systemDecompressor is the command that decompresses each compression to stdout.
var systemDecompressor = map[Compression][]string{
	Zstd: {"zstd", "-d", "-c", "-q"},
	Gzip: {"gzip", "-d", "-c"},
	XZ:   {"xz", "-d", "-c"},
	LZ4:  {"lz4", "-d", "-c"},
}

func needTool(t *testing.T, name, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed (apt-get install %s)", name, pkg)
	}
}

// bigSample adds 11 MiB, more than lz4's 8 MiB legacy block and zstd's window, so
// multi-block streams are exercised.
func bigSample(t *testing.T) *Builder {
	b := sample(t, 0)
	noise := make([]byte, 1<<20)
	rand.Read(noise)
	if err := b.AddFile("/big/noise", noise, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.AddFile("/big/zeros", make([]byte, 10<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCompressionsDecodeWithSystemTools(t *testing.T) {
	b := bigSample(t)
	var plain bytes.Buffer
	if _, err := b.WriteTo(&plain); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, c := range Compressions {
		t.Run(string(c), func(t *testing.T) {
			out := filepath.Join(dir, "initrd."+string(c))
			sz, err := b.WriteFile(out, WriteOptions{Compression: c})
			if err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(out)
			if err != nil {
				t.Fatal(err)
			}
			if sz.File != fi.Size() || sz.Archive != int64(plain.Len()) {
				t.Errorf("sizes %+v, file has %d bytes, archive %d", sz, fi.Size(), plain.Len())
			}
			if fi.Mode().Perm() != 0o644 {
				t.Errorf("mode %v, want 0644", fi.Mode())
			}
			// Our own reader.
			im, err := ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(im.Segments) != 1 || im.Segments[0] != c {
				t.Errorf("segments %v, want [%s]", im.Segments, c)
			}
			if e, ok := im.Lookup("big/noise"); !ok || e.Size != 1<<20 {
				t.Errorf("big/noise: %v %v", e.Size, ok)
			}
			if c == None {
				got, _ := os.ReadFile(out)
				if !bytes.Equal(got, plain.Bytes()) {
					t.Error("uncompressed image differs from WriteTo")
				}
				return
			}
			// The system tool.
			cmd := systemDecompressor[c]
			needTool(t, cmd[0], map[Compression]string{Zstd: "zstd", Gzip: "gzip", XZ: "xz-utils", LZ4: "lz4"}[c])
			var stderr bytes.Buffer
			x := exec.Command(cmd[0], append(cmd[1:], out)...)
			x.Stderr = &stderr
			got, err := x.Output()
			if err != nil {
				t.Fatalf("%s: %v: %s", strings.Join(cmd, " "), err, stderr.String())
			}
			if !bytes.Equal(got, plain.Bytes()) {
				t.Errorf("%s gives %d bytes that differ from the %d-byte archive", strings.Join(cmd, " "), len(got), plain.Len())
			}
		})
	}
}

// The kernel's xz decoder supports CRC32 checks only.
func TestXZCheckIsCRC32(t *testing.T) {
	needTool(t, "xz", "xz-utils")
	out := filepath.Join(t.TempDir(), "i.xz")
	if _, err := sample(t, 0).WriteFile(out, WriteOptions{Compression: XZ}); err != nil {
		t.Fatal(err)
	}
	list, err := exec.Command("xz", "--robot", "--list", out).Output()
	if err != nil {
		t.Fatal(err)
	}
	// "totals\t<streams>\t<blocks>\t<compressed>\t<uncompressed>\t<ratio>\t<checks>\t..."
	for _, line := range strings.Split(string(list), "\n") {
		f := strings.Split(line, "\t")
		if f[0] == "totals" {
			if len(f) < 7 || f[6] != "CRC32" {
				t.Errorf("xz check %q, want CRC32 (line %q)", f[6], line)
			}
			return
		}
	}
	t.Fatalf("no totals line in %q", list)
}

// The kernel's zstd decoder is given memory for an 8 MiB window.
func TestZstdWindow(t *testing.T) {
	needTool(t, "zstd", "zstd")
	out := filepath.Join(t.TempDir(), "i.zst")
	if _, err := bigSample(t).WriteFile(out, WriteOptions{Compression: Zstd}); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("zstd", "-lv", out).CombinedOutput()
	if err != nil {
		t.Fatalf("zstd -lv: %v: %s", err, info)
	}
	m := regexp.MustCompile(`Window Size: +([0-9.]+) (KiB|MiB|B)`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("no window size in %s", info)
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	unit := map[string]float64{"B": 1, "KiB": 1 << 10, "MiB": 1 << 20}[string(m[2])]
	if size := v * unit; size > 8<<20 {
		t.Errorf("zstd window %s %s, want at most 8 MiB", m[1], m[2])
	}
}

func TestLZ4IsLegacyFormat(t *testing.T) {
	out := filepath.Join(t.TempDir(), "i.lz4")
	if _, err := sample(t, 0).WriteFile(out, WriteOptions{Compression: LZ4}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	if !bytes.HasPrefix(got, []byte{0x02, 0x21, 0x4c, 0x18}) {
		t.Errorf("lz4 image starts % x, want the legacy magic 02 21 4c 18", got[:min(4, len(got))])
	}
}

func TestReproducible(t *testing.T) {
	dir := t.TempDir()
	for _, c := range Compressions {
		var images [2][]byte
		for i := range images {
			out := filepath.Join(dir, strconv.Itoa(i)+"."+string(c))
			if _, err := sample(t, 1234).WriteFile(out, WriteOptions{Compression: c}); err != nil {
				t.Fatal(err)
			}
			images[i], _ = os.ReadFile(out)
		}
		if !bytes.Equal(images[0], images[1]) {
			t.Errorf("%s: two writes of the same archive differ", c)
		}
	}
}

func TestWriteFileSecretMode(t *testing.T) {
	out := filepath.Join(t.TempDir(), "i")
	if _, err := sample(t, 0).WriteFile(out, WriteOptions{Compression: None, Secret: true}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode())
	}
}

// A failed write leaves the old file alone and no temporary file behind.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "initrd")
	os.WriteFile(out, []byte("old"), 0o644)
	host := filepath.Join(dir, "host")
	os.WriteFile(host, []byte("abc"), 0o644)
	b := New(0)
	if err := b.AddFileFromHost("/x", host, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(host)
	_, err := b.WriteFile(out, WriteOptions{Compression: Zstd})
	want := `write image "` + out + `": write archive record "x": open ` + host + `: no such file or directory`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	if got, _ := os.ReadFile(out); string(got) != "old" {
		t.Errorf("old image now holds %q", got)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d files after a failed write, want only the old image", len(ents))
	}
}
