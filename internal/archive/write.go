package archive

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/u-root/u-root/pkg/cpio"
)

// WriteTo writes the uncompressed newc archive: a "." record for the root (mode 0755, so a
// tmpfs rootfs does not stay 1777), the records in path order with inode numbers 1, 2, … in that
// order, uid and gid 0, mtime Epoch, and the trailer.
func (b *Builder) WriteTo(w io.Writer) (int64, error) {
	return b.writeArchive(w, nil)
}

// writeArchive writes the archive of the records keep accepts (all when keep is nil), each
// with the inode number it has in the whole archive, so two parts of one image never share one.
func (b *Builder) writeArchive(w io.Writer, keep func(*entry) bool) (int64, error) {
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<20)
	rw := cpio.Newc.Writer(bw)
	mtime := uint64(b.epoch)

	root := cpio.Record{Info: cpio.Info{Name: ".", Mode: TypeDir | 0o755, NLink: 2, MTime: mtime, Ino: 1}}
	if err := rw.WriteRecord(root); err != nil {
		return cw.n, fmt.Errorf("write archive record \".\": %w", err)
	}
	for i, name := range b.Names() {
		e := b.entries[name]
		if keep != nil && !keep(e) {
			continue
		}
		rec, err := e.record(uint64(i+2), mtime)
		if err != nil {
			return cw.n, fmt.Errorf("write archive record %q: %w", name, err)
		}
		if err := rw.WriteRecord(rec); err != nil {
			if f, ok := rec.ReaderAt.(*os.File); ok {
				f.Close()
			}
			return cw.n, fmt.Errorf("write archive record %q: %w", name, err)
		}
	}
	if err := cpio.WriteTrailer(rw); err != nil {
		return cw.n, fmt.Errorf("write archive trailer: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("write archive: %w", err)
	}
	return cw.n, nil
}

// record builds the cpio record of e. Host files are opened here; the cpio writer closes them.
func (e *entry) record(ino, mtime uint64) (cpio.Record, error) {
	info := cpio.Info{
		Name:   e.name,
		Ino:    ino,
		Mode:   uint64(e.mode),
		NLink:  1,
		MTime:  mtime,
		Rmajor: uint64(e.rmajor),
		Rminor: uint64(e.rminor),
	}
	switch e.mode & TypeMask {
	case TypeDir:
		info.NLink = 2
		return cpio.Record{Info: info}, nil
	case TypeChar, TypeBlock:
		return cpio.Record{Info: info}, nil
	}
	if e.pending != nil {
		data, err := e.pending()
		if err != nil {
			return cpio.Record{}, err
		}
		if len(data) > maxFileSize {
			return cpio.Record{}, fmt.Errorf("%d bytes is more than a newc record holds (%d)", len(data), int64(maxFileSize))
		}
		e.data, e.size, e.pending = data, int64(len(data)), nil
	}
	info.FileSize = uint64(e.size)
	if e.hostPath == "" {
		return cpio.Record{Info: info, ReaderAt: bytes.NewReader(e.data)}, nil
	}
	f, err := os.Open(e.hostPath)
	if err != nil {
		return cpio.Record{}, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return cpio.Record{}, err
	}
	if fi.Size() != e.size {
		f.Close()
		return cpio.Record{}, fmt.Errorf("%q: %w (%d bytes then, %d now)", e.hostPath, errChanged, e.size, fi.Size())
	}
	return cpio.Record{Info: info, ReaderAt: f}, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
