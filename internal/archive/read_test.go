package archive

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// header renders a newc header the way the writer does, for hand-made test archives.
func header(name string, mode, size uint32) string {
	return fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		1, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, len(name)+1, 0) + name + "\x00"
}

func pad(s string) string {
	for len(s)%4 != 0 {
		s += "\x00"
	}
	return s
}

func TestParseErrors(t *testing.T) {
	trailer := pad(header("TRAILER!!!", 0, 0))
	tests := []struct {
		name, data, err string
	}{
		{"empty", "", "parse archive: no archive in 0 bytes"},
		{"only zeros", "\x00\x00\x00\x00", "parse archive: no archive in 4 bytes"},
		{"garbage", "GARBAGE!", "parse archive at offset 0: detect compression: unknown magic 47 41 52 42 41 47 45 21: want newc cpio (070701), zstd, gzip, xz or legacy lz4"},
		{"short header", "070701000", "parse archive at offset 0: record at offset 0: truncated header (9 bytes left, want 110); no trailer"},
		{"no trailer", pad(header("a", TypeRegular|0o644, 1) + "x"), "parse archive at offset 0: record at offset 116: truncated header (0 bytes left, want 110); no trailer"},
		{"bad hex", strings.Replace(header("a", 0, 0), "070701", "070701ZZ", 1)[:110] + "a\x00", `parse archive at offset 0: record at offset 0: field ino "ZZ000000": want 8 hex digits`},
		{"name too long", header("a", 0, 0)[:110], "parse archive at offset 0: record at offset 0: name size 2 does not fit in the 0 bytes left"},
		{"name without NUL", header("ab", 0, 0)[:110] + "abc", "parse archive at offset 0: record at offset 0: name is not NUL-terminated"},
		{"file too long", pad(header("a", TypeRegular|0o644, 100)) + "xyz", `parse archive at offset 0: record "a" at offset 0: file size 100 does not fit in the 3 bytes left`},
		{"second magic wrong", pad(header("a", TypeDir|0o755, 0)) + "070707" + trailer, `parse archive at offset 0: record at offset 112: magic "070707", want "070701" (newc)`},
		{"gzip truncated", "\x1f\x8b\x08\x00", "parse archive at offset 0: start gzip decompressor: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data))
			if err == nil || err.Error() != tt.err {
				t.Errorf("error = %v\nwant %q", err, tt.err)
			}
		})
	}
}

// Archives concatenated the way the kernel reads them: an uncompressed one (early microcode),
// zero padding, then a compressed one.
func TestParseConcatenated(t *testing.T) {
	first := pad(header("kernel", TypeDir|0o755, 0)) + pad(header("TRAILER!!!", 0, 0)) + strings.Repeat("\x00", 512)
	b := New(0)
	b.AddFile("/init", []byte("x"), 0o755)
	var zbuf bytes.Buffer
	zw, _ := NewWriter(&zbuf, Zstd)
	b.WriteTo(zw)
	zw.Close()
	im, err := Parse(append([]byte(first), zbuf.Bytes()...))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range im.Entries {
		names = append(names, e.Name)
	}
	if got, want := fmt.Sprint(im.Segments, names), "[none zstd] [kernel . init]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestEntryString(t *testing.T) {
	tests := []struct {
		e    Entry
		want string
	}{
		{Entry{Name: "init", Mode: TypeRegular | 0o755, Size: 1234567}, "-rwxr-xr-x    1234567 init"},
		{Entry{Name: "dev/console", Mode: TypeChar | 0o600, Rmajor: 5, Rminor: 1}, "crw-------       5, 1 dev/console"},
		{Entry{Name: "lib/goinit/modprobe", Mode: TypeSymlink | 0o777, Size: 5, Target: "/init"}, "lrwxrwxrwx          5 lib/goinit/modprobe -> /init"},
		{Entry{Name: "tmp", Mode: TypeDir | 0o1777}, "drwxrwxrwt          0 tmp"},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func FuzzParseNewc(f *testing.F) {
	var buf bytes.Buffer
	b := New(7)
	b.AddFile("/init", []byte("#!/bin/sh\n"), 0o755)
	b.AddSymlink("/bin/sh", "busybox")
	b.AddCharDev("/dev/null", 0o666, 1, 3)
	b.WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte(pad(header("TRAILER!!!", 0, 0))))
	f.Add([]byte(header("a", TypeRegular|0o644, 0xffffffff)))
	f.Add([]byte("070701"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, n, err := ParseNewc(data)
		if err != nil {
			return
		}
		if n > len(data) || n < newcHeaderLen {
			t.Fatalf("consumed %d of %d bytes", n, len(data))
		}
		for _, e := range entries {
			if int64(len(e.Data)) > e.Size || e.Size > int64(len(data)) {
				t.Fatalf("entry %q: %d data bytes, size %d, input %d", e.Name, len(e.Data), e.Size, len(data))
			}
			_ = e.String()
		}
	})
}

func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"/init", "a/../b", "//x//y/", ".", "", "a\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := CleanName(s)
		if err != nil {
			return
		}
		if n == "" || strings.HasPrefix(n, "/") || strings.HasSuffix(n, "/") || strings.Contains(n, "//") {
			t.Fatalf("CleanName(%q) = %q", s, n)
		}
		for _, p := range strings.Split(n, "/") {
			if p == "." || p == ".." {
				t.Fatalf("CleanName(%q) = %q keeps %q", s, n, p)
			}
		}
		if again, err := CleanName(n); err != nil || again != n {
			t.Fatalf("CleanName not idempotent: %q -> %q -> %q, %v", s, n, again, err)
		}
	})
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{"070701", "\x28\xb5\x2f\xfd", "\x1f\x8b", "BZh", "", "\x02\x21\x4c"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		c, err := Detect(head)
		if err == nil && c == "" {
			t.Fatalf("Detect(% x) gave no compression and no error", head)
		}
	})
}
