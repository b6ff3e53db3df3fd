package modalias

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestReadPackedModule(t *testing.T) {
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := writeTree(t, map[string]string{
		"good.ko.zst": string(enc.EncodeAll([]byte("\x7fELF module"), nil)),
		"text.ko.zst": string(enc.EncodeAll([]byte("plain text"), nil)),
		"bad.ko.zst":  "not a zstd frame",
		"other.ko.xz": "whatever",
		// A frame whose header claims 8 GiB of content (1 MiB window, 8-byte size) and holds one
		// raw byte: refused for its claim before anything is allocated for it (without the limit
		// the decoder reserved the 8 GiB, which PID 1 on a small machine cannot get).
		"huge.ko.zst": "\x28\xb5\x2f\xfd\xc0\x50" + "\x00\x00\x00\x00\x02\x00\x00\x00" + "\x09\x00\x00" + "x",
	})
	enc.Close()
	if got, err := ReadPackedModule(filepath.Join(dir, "good.ko.zst")); err != nil || string(got) != "\x7fELF module" {
		t.Errorf("good.ko.zst = %q, %v", got, err)
	}
	for name, want := range map[string]string{
		"text.ko.zst":    "read module DIR/text.ko.zst: not an ELF file",
		"bad.ko.zst":     "read module DIR/bad.ko.zst: zstd: ",
		"huge.ko.zst":    "read module DIR/huge.ko.zst: zstd: decompressed size exceeds configured limit",
		"other.ko.xz":    "read module DIR/other.ko.xz: goinit unpacks .ko.zst only (build the image with mkinitramfs)",
		"missing.ko.zst": "read module DIR/missing.ko.zst: open DIR/missing.ko.zst: no such file or directory",
	} {
		_, err := ReadPackedModule(filepath.Join(dir, name))
		if err == nil || !strings.HasPrefix(err.Error(), replaceDir(want, dir)) {
			t.Errorf("%s: error %v, want %q", name, err, replaceDir(want, dir))
		}
	}
}
