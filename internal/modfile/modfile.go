// Package modfile reads kernel module files on the build side: plain or compressed with xz,
// gzip or zstd, and the .modinfo section of their ELF image. goinit itself only unpacks the
// zstd modules mkinitramfs packed (modalias.ReadPackedModule), so it does not link the xz and
// gzip decoders or debug/elf.
package modfile

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/goinit/goinit/modalias"
	"github.com/ulikunitz/xz"
)

// Read reads a kernel module (.ko, .ko.xz, .ko.zst or .ko.gz, chosen by the name)
// and returns the uncompressed ELF image.
func Read(path string) ([]byte, error) {
	if strings.HasSuffix(path, ".ko") { // most distributions: read at once, at the file's size
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read module %s: %w", path, err)
		}
		return modalias.CheckELF(path, data)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read module %s: %w", path, err)
	}
	defer f.Close()
	var r io.Reader = f
	switch {
	case strings.HasSuffix(path, ".xz"):
		xr, err := xz.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("read module %s: xz: %w", path, err)
		}
		r = xr
	case strings.HasSuffix(path, ".zst"):
		return modalias.ReadPackedModule(path)
	case strings.HasSuffix(path, ".gz"):
		gr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("read module %s: gzip: %w", path, err)
		}
		r = gr
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read module %s: %w", path, err)
	}
	return modalias.CheckELF(path, data)
}

// Info parses the .modinfo section of a module's ELF image: NUL-separated "key=value"
// strings. Keys that occur several times (alias, firmware, depend, ...) keep every value in
// order; the firmware a module may request is Info(...)["firmware"].
func Info(image []byte) (info map[string][]string, err error) {
	defer func() {
		// debug/elf is meant to fail cleanly on any input; keep a bad file from ever
		// panicking the caller if it does not.
		if r := recover(); r != nil {
			info, err = nil, fmt.Errorf("parse module ELF: %v", r)
		}
	}()
	f, err := elf.NewFile(bytes.NewReader(image))
	if err != nil {
		return nil, fmt.Errorf("parse module ELF: %w", err)
	}
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, fmt.Errorf("parse module ELF: no .modinfo section")
	}
	data, err := sec.Data()
	if err != nil {
		return nil, fmt.Errorf("parse module ELF: .modinfo: %w", err)
	}
	info = map[string][]string{}
	for _, kv := range bytes.Split(data, []byte{0}) {
		if len(kv) == 0 {
			continue
		}
		k, v, ok := strings.Cut(string(kv), "=")
		if !ok || k == "" {
			continue
		}
		info[k] = append(info[k], v)
	}
	return info, nil
}
