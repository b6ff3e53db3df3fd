package fsprobe

import (
	"bytes"
	"encoding/binary"
)

// probeSquashfs knows squashfs 4 ("hsqs", little-endian) and the older formats the kernel no
// longer mounts (type squashfs3, either byte order). Squashfs has no UUID and no label.
func probeSquashfs(w *window) (*FS, error) {
	sb, err := w.read(0, 32)
	if err != nil {
		return nil, err
	}
	switch {
	case bytes.Equal(sb[0:4], []byte("hsqs")):
		if binary.LittleEndian.Uint16(sb[28:]) >= 4 {
			return &FS{Type: "squashfs"}, nil
		}
		return &FS{Type: "squashfs3"}, nil
	case bytes.Equal(sb[0:4], []byte("sqsh")):
		if binary.BigEndian.Uint16(sb[28:]) <= 3 {
			return &FS{Type: "squashfs3"}, nil
		}
	}
	return nil, nil
}
