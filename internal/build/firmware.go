package build

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/goinit/goinit/internal/archive"
)

// firmwareResult counts what addFirmware did.
type firmwareResult struct {
	added   []string
	missing []string
}

// addFirmware puts each named firmware file found on the host at lib/firmware/<name>. It
// looks where the kernel does (updates/<kver>, updates, <kver>, then the directory itself),
// each as the plain file, then .xz and .zst (decompressed). Absent files are skipped: most
// drivers list firmware for hardware variants nobody has.
func addFirmware(b *archive.Builder, dir, kver string, names []string) (*firmwareResult, error) {
	res := &firmwareResult{}
	for _, name := range names {
		clean, err := archive.CleanName(name)
		if err != nil || strings.ContainsAny(name, "*?[") {
			res.missing = append(res.missing, name)
			continue
		}
		host, comp := findFirmware(dir, kver, clean)
		if host == "" {
			res.missing = append(res.missing, name)
			continue
		}
		dst := path.Join("lib/firmware", clean)
		if comp == archive.None {
			err = b.AddFileFromHost(dst, host, 0o644)
		} else {
			var data []byte
			data, err = readCompressed(host, comp)
			if err == nil {
				err = b.AddFile(dst, data, 0o644)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("add firmware %q: %w", name, err)
		}
		res.added = append(res.added, name)
	}
	return res, nil
}

func findFirmware(dir, kver, name string) (string, archive.Compression) {
	for _, sub := range []string{"updates/" + kver, "updates", kver, ""} {
		for _, ext := range []struct {
			suffix string
			c      archive.Compression
		}{{"", archive.None}, {".xz", archive.XZ}, {".zst", archive.Zstd}} {
			p := filepath.Join(dir, filepath.FromSlash(sub), filepath.FromSlash(name)+ext.suffix)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return p, ext.c
			}
		}
	}
	return "", ""
}

func readCompressed(p string, c archive.Compression) ([]byte, error) {
	raw, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	r, err := archive.NewReader(bytes.NewReader(raw), c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("decompress %s: %w", p, err)
	}
	return data, nil
}
