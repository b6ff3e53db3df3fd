package fsprobe

import (
	"errors"
	"fmt"
	"io"
)

// MaxProbeRead is the most Probe reads from a device, in bytes. The farthest superblock it
// looks at is btrfs's at 64 KiB; the rest of the budget goes to the FAT root directory.
const MaxProbeRead = 72 << 10

// blockSize is the unit the window reads and caches in.
const blockSize = 4096

// errShort means that the bytes a prober asked for are beyond the device's end or beyond the read
// budget. For a prober it means "not this filesystem", not a failure.
var errShort = errors.New("short read")

// window reads aligned blocks of a device on demand, caches them, never reads outside
// [0, size) and stops when the budget is spent.
type window struct {
	r      io.ReaderAt
	size   int64
	budget int64
	blocks map[int64][]byte // block index -> its bytes (shorter than blockSize at the end)
}

func newWindow(r io.ReaderAt, size, budget int64) *window {
	return &window{r: r, size: size, budget: budget, blocks: map[int64][]byte{}}
}

// read returns n bytes at off. The slice may alias the cache: callers must not modify it. It
// returns errShort when the range is outside the device or the budget, and a wrapped error when
// the device itself fails.
func (w *window) read(off int64, n int) ([]byte, error) {
	if off < 0 || n < 0 || off > w.size || int64(n) > w.size-off {
		return nil, errShort
	}
	if n == 0 {
		return []byte{}, nil
	}
	first := off / blockSize
	last := (off + int64(n) - 1) / blockSize
	if first == last {
		b, err := w.block(first)
		if err != nil {
			return nil, err
		}
		lo := int(off - first*blockSize)
		if lo+n > len(b) {
			return nil, errShort
		}
		return b[lo : lo+n], nil
	}
	out := make([]byte, 0, n)
	for i := first; i <= last; i++ {
		b, err := w.block(i)
		if err != nil {
			return nil, err
		}
		lo := 0
		if i == first {
			lo = int(off - first*blockSize)
		}
		if lo > len(b) {
			return nil, errShort
		}
		take := min(len(b)-lo, n-len(out))
		out = append(out, b[lo:lo+take]...)
		if len(b) < blockSize && len(out) < n {
			return nil, errShort
		}
	}
	if len(out) != n {
		return nil, errShort
	}
	return out, nil
}

// block returns the cached block i, reading it first if needed.
func (w *window) block(i int64) ([]byte, error) {
	if b, ok := w.blocks[i]; ok {
		return b, nil
	}
	start := i * blockSize
	n := min(int64(blockSize), w.size-start)
	if n <= 0 {
		return nil, errShort
	}
	if n > w.budget {
		return nil, errShort
	}
	w.budget -= n
	buf := make([]byte, n)
	got, err := w.r.ReadAt(buf, start)
	if got < 0 || got > len(buf) {
		return nil, fmt.Errorf("read %d bytes at offset %d: reader returned %d", n, start, got)
	}
	if err != nil && !errors.Is(err, io.EOF) && got < len(buf) {
		return nil, fmt.Errorf("read %d bytes at offset %d: %w", n, start, err)
	}
	buf = buf[:got] // a short read at EOF: the device is smaller than it claimed
	w.blocks[i] = buf
	return buf, nil
}
