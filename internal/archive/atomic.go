package archive

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteOptions says how WriteFile writes an image.
type WriteOptions struct {
	Compression Compression
	// Secret makes the file mode 0600 instead of 0644: set it when the image holds credentials.
	Secret bool
}

// Sizes reports what WriteFile wrote.
type Sizes struct {
	Archive int64 // the uncompressed newc archive
	File    int64 // the file on disk
}

// WriteFile writes the archive, compressed as opt says, to path atomically: into a temporary
// file in the same directory, synced, then renamed over path. On error path is left as it was.
func (b *Builder) WriteFile(path string, opt WriteOptions) (Sizes, error) {
	var sz Sizes
	mode := fs.FileMode(0o644)
	if opt.Secret {
		mode = 0o600
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return sz, fmt.Errorf("write image %q: %w", path, err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(mode); err != nil {
		return sz, fmt.Errorf("write image %q: %w", path, err)
	}
	cw := &countingWriter{w: tmp}
	bw := bufio.NewWriterSize(cw, 1<<20)
	zw, err := NewWriter(bw, opt.Compression)
	if err != nil {
		return sz, fmt.Errorf("write image %q: %w", path, err)
	}
	if sz.Archive, err = b.WriteTo(zw); err != nil {
		return sz, fmt.Errorf("write image %q: %w", path, err)
	}
	if err := zw.Close(); err != nil {
		return sz, fmt.Errorf("write image %q: compress %s: %w", path, opt.Compression, err)
	}
	if err := bw.Flush(); err != nil {
		return sz, fmt.Errorf("write image %q: %w", path, err)
	}
	sz.File = cw.n
	if err := tmp.Sync(); err != nil {
		return sz, fmt.Errorf("write image %q: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return sz, fmt.Errorf("write image %q: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return sz, fmt.Errorf("write image %q: %w", path, err)
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; failure here does not undo a complete write
		d.Close()
	}
	return sz, nil
}
