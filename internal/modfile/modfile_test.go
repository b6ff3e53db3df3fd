package modfile

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/goinit/goinit/modalias"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// realDir is the installed Debian kernel's module tree the tests read.
const realDir = "/lib/modules/6.1.0-56-amd64"

func realModule(t *testing.T, name string) []byte {
	t.Helper()
	ix, err := modalias.Load(realDir)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := ix.Module(name)
	if !ok {
		t.Fatalf("no %s in %s", name, realDir)
	}
	data, err := Read(filepath.Join(realDir, m.Path))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestModInfoReal(t *testing.T) {
	tests := []struct {
		module   string
		firmware []string
	}{
		{"e1000", nil},
		{"e100", []string{"e100/d102e_ucode.bin", "e100/d101s_ucode.bin", "e100/d101m_ucode.bin"}},
	}
	for _, tt := range tests {
		info, err := Info(realModule(t, tt.module))
		if err != nil {
			t.Fatal(err)
		}
		if got := info["firmware"]; !reflect.DeepEqual(got, tt.firmware) {
			t.Errorf("%s firmware = %q, want %q", tt.module, got, tt.firmware)
		}
		if got := info["name"]; !reflect.DeepEqual(got, []string{tt.module}) {
			t.Errorf("%s name = %q", tt.module, got)
		}
		if v := info["vermagic"]; len(v) != 1 || !strings.HasPrefix(v[0], "6.1.0-56-amd64 ") {
			t.Errorf("%s vermagic = %q", tt.module, v)
		}
	}
	info, err := Info(realModule(t, "e1000"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(info["alias"], "pci:v00008086d0000100Esv*sd*bc*sc*i*") {
		t.Errorf("e1000 aliases lack the 82540EM: %q", info["alias"])
	}
}

func TestModInfoErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "parse module ELF: EOF"},
		{"not elf", []byte("hello, this is not an ELF file at all"), "parse module ELF: bad magic number '[104 101 108 108]' in record at byte 0x0"},
	}
	for _, tt := range tests {
		_, err := Info(tt.data)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error = %v, want %s", tt.name, err, tt.want)
		}
	}
	// A real ELF without .modinfo: this test binary.
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Info(self); err == nil || err.Error() != "parse module ELF: no .modinfo section" {
		t.Errorf("Info(test binary) error = %v", err)
	}
}

func TestReadModuleFileCompressed(t *testing.T) {
	elf := realModule(t, "e1000")
	dir := t.TempDir()
	compress := map[string]func(io.Writer) (io.WriteCloser, error){
		"e1000.ko.xz": func(w io.Writer) (io.WriteCloser, error) { return xz.NewWriter(w) },
		"e1000.ko.zst": func(w io.Writer) (io.WriteCloser, error) {
			return zstd.NewWriter(w)
		},
		"e1000.ko.gz": func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriter(w), nil },
	}
	for name, newW := range compress {
		var buf bytes.Buffer
		w, err := newW(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(elf); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := Read(p)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(got, elf) {
			t.Errorf("%s: decompressed %d bytes differ from the %d-byte original", name, len(got), len(elf))
		}
	}
}

func TestReadModuleFileErrors(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"bad.ko.xz": "this is not an xz stream, it is text", "text.ko": "plain text", "bad.ko.gz": "nope"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ file, want string }{
		{"bad.ko.xz", "read module DIR/bad.ko.xz: xz: xz: invalid header magic bytes"},
		{"text.ko", "read module DIR/text.ko: not an ELF file"},
		{"bad.ko.gz", "read module DIR/bad.ko.gz: gzip: unexpected EOF"},
		{"missing.ko", "read module DIR/missing.ko: open DIR/missing.ko: no such file or directory"},
	}
	for _, tt := range tests {
		_, err := Read(filepath.Join(dir, tt.file))
		if want := strings.ReplaceAll(tt.want, "DIR", dir); err == nil || err.Error() != want {
			t.Errorf("Read(%s) error = %v, want %s", tt.file, err, want)
		}
	}
}

func FuzzInfo(f *testing.F) {
	f.Add([]byte("\x7fELF\x02\x01\x01\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Info(data) // must not panic
	})
}
