package archive

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
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

// split says which records go where when an image holds packed files. A compressed image that
// holds packed files (AddPackedFileFunc) is written as two archives one
// after the other, the layout the kernel unpacks for early microcode: first an uncompressed
// one with the packed files and their directories, then the compressed one with everything
// else. Compressing compressed data again costs build time and boot time and saves nothing.
// plain and rest accept the records of the two archives; ok is false without packed files.
func (b *Builder) split() (plain, rest func(*entry) bool, ok bool) {
	dirs := map[string]bool{}
	for n, e := range b.entries {
		if !e.packed {
			continue
		}
		ok = true
		for p := parentOf(n); p != "" && !dirs[p]; p = parentOf(p) {
			dirs[p] = true
		}
	}
	plain = func(e *entry) bool { return e.packed || dirs[e.name] }
	rest = func(e *entry) bool { return !e.packed }
	return plain, rest, ok
}

// WriteFile writes the archive, compressed as opt says, to path atomically: into a temporary
// file in the same directory, synced, then renamed over path. On error path is left as it was.
// A compressed image with packed files is two archives: see split.
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
	if plain, rest, ok := b.split(); ok && opt.Compression != None {
		n, err := b.writeTwo(bw, plain, rest, opt.Compression)
		sz.Archive = n
		if err != nil {
			return sz, fmt.Errorf("write image %q: %w", path, err)
		}
	} else {
		zw, err := NewWriter(bw, opt.Compression)
		if err != nil {
			return sz, fmt.Errorf("write image %q: %w", path, err)
		}
		if sz.Archive, err = b.writeArchive(zw, nil); err != nil {
			return sz, fmt.Errorf("write image %q: %w", path, err)
		}
		if err := zw.Close(); err != nil {
			return sz, fmt.Errorf("write image %q: compress %s: %w", path, opt.Compression, err)
		}
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

// writeTwo writes the two archives of an image with packed files: the uncompressed one of the
// records plain accepts, then the one of the records rest accepts compressed with c. The second
// is compressed into memory while the first is written, which waits for packed contents still
// being made (AddPackedFileFunc). It returns the size of both archives uncompressed.
func (b *Builder) writeTwo(w io.Writer, plain, rest func(*entry) bool, c Compression) (int64, error) {
	type result struct {
		data []byte
		n    int64
		err  error
	}
	done := make(chan result, 1)
	go func() {
		var buf bytes.Buffer
		zw, err := NewWriter(&buf, c)
		if err != nil {
			done <- result{err: err}
			return
		}
		n, err := b.writeArchive(zw, rest)
		if cerr := zw.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("compress %s: %w", c, cerr)
		}
		done <- result{buf.Bytes(), n, err}
	}()
	n, err := b.writeArchive(w, plain)
	r := <-done
	if err != nil {
		return n, err
	}
	if r.err != nil {
		return n, r.err
	}
	if _, err := w.Write(r.data); err != nil {
		return n, err
	}
	return n + r.n, nil
}
