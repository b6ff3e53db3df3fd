package archive

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
)

// magic numbers at the start of a segment of an initramfs.
var magics = []struct {
	magic []byte
	c     Compression
	known string // a compression the kernel may know but this package does not read
}{
	{[]byte("070701"), None, ""},
	{[]byte{0x28, 0xb5, 0x2f, 0xfd}, Zstd, ""},
	{[]byte{0x1f, 0x8b}, Gzip, ""},
	{[]byte{0x1f, 0x9e}, Gzip, ""},
	{[]byte{0xfd, '7', 'z', 'X', 'Z', 0x00}, XZ, ""},
	{[]byte{0x02, 0x21, 0x4c, 0x18}, LZ4, ""},
	{[]byte("070702"), None, ""},
	{[]byte("070707"), "", "old portable cpio (070707)"},
	{[]byte{0xc7, 0x71}, "", "old binary cpio"},
	{[]byte{0x04, 0x22, 0x4d, 0x18}, "", "lz4 frame format (the kernel needs the legacy format)"},
	{[]byte("BZh"), "", "bzip2"},
	{[]byte{0x89, 'L', 'Z', 'O'}, "", "lzop"},
	{[]byte{0x5d, 0x00, 0x00}, "", "lzma"},
}

// Detect names the compression of data that starts with head (None for a plain newc archive).
func Detect(head []byte) (Compression, error) {
	for _, m := range magics {
		if bytes.HasPrefix(head, m.magic) {
			if m.known != "" {
				return "", fmt.Errorf("detect compression: %s is not supported", m.known)
			}
			return m.c, nil
		}
	}
	n := min(len(head), 8)
	return "", fmt.Errorf("detect compression: unknown magic % x: want newc cpio (070701), zstd, gzip, xz or legacy lz4", head[:n])
}

// NewReader returns a reader of the data c compressed in r. Close releases the decoder but
// does not close r.
func NewReader(r io.Reader, c Compression) (io.ReadCloser, error) {
	switch c {
	case Zstd:
		d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("start zstd decompressor: %w", err)
		}
		return d.IOReadCloser(), nil
	case Gzip:
		g, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("start gzip decompressor: %w", err)
		}
		return g, nil
	case XZ:
		x, err := xz.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("start xz decompressor: %w", err)
		}
		return io.NopCloser(x), nil
	case LZ4:
		return io.NopCloser(lz4.NewReader(r)), nil
	case None:
		return io.NopCloser(r), nil
	}
	return nil, fmt.Errorf("start decompressor %q: unknown compression", string(c))
}
