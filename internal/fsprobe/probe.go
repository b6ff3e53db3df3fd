package fsprobe

import (
	"errors"
	"fmt"
	"io"
)

// FS is what Probe found on a device. UUID and Label are "" when the filesystem has none.
type FS struct {
	// Type is the name mount(2) and blkid use: ext2, ext3, ext4, ext4dev, jbd, xfs, btrfs,
	// squashfs, squashfs3, erofs, vfat, iso9660, swap, swsuspend, jffs2 or f2fs.
	Type string
	// UUID is spelled as blkid prints it: lower-case 8-4-4-4-12 for most filesystems,
	// "XXXX-XXXX" (upper-case) for vfat, the volume date "YYYY-MM-DD-hh-mm-ss-cc" for iso9660.
	UUID string
	// Label is the volume name (UTF-8 where the filesystem stores UTF-16).
	Label string
}

// ErrUnknown is wrapped by Probe's error when no known signature is on the device.
var ErrUnknown = errors.New("unknown filesystem")

// prober looks for one family of filesystems. It returns nil, nil when the bytes are not its
// filesystem, and an error only when the device could not be read.
type prober struct {
	name  string
	probe func(w *window) (*FS, error)
}

// probers run in blkid's order, which matters when stale signatures of an older filesystem
// survive on a device; jffs2, which blkid does not know, comes last as its magic is short.
var probers = []prober{
	{"vfat", probeVFAT},
	{"swap", probeSwap},
	{"xfs", probeXFS},
	{"ext", probeExt},
	{"iso9660", probeISO9660},
	{"squashfs", probeSquashfs},
	{"btrfs", probeBtrfs},
	{"f2fs", probeF2FS},
	{"erofs", probeEROFS},
	{"jffs2", probeJFFS2},
}

// Probe identifies the filesystem on a device of size bytes. It reads at most MaxProbeRead
// bytes and nothing at or beyond size. When nothing is recognised the error wraps ErrUnknown;
// other errors come from r.
func Probe(r io.ReaderAt, size int64) (*FS, error) {
	if r == nil {
		return nil, errors.New("probe filesystem: no reader")
	}
	if size < 0 {
		return nil, fmt.Errorf("probe filesystem: device size %d: must not be negative", size)
	}
	w := newWindow(r, size, MaxProbeRead)
	for _, p := range probers {
		fs, err := p.probe(w)
		if errors.Is(err, errShort) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("probe filesystem: %s: %w", p.name, err)
		}
		if fs != nil {
			return fs, nil
		}
	}
	return nil, fmt.Errorf("probe filesystem: no ext2/3/4, xfs, btrfs, squashfs, erofs, vfat, iso9660, swap, jffs2 or f2fs signature in %d bytes: %w", size, ErrUnknown)
}
