package fsprobe

import (
	"bytes"
	"encoding/binary"
)

// probeXFS checks the big-endian XFS superblock at offset 0 and its geometry, so that the
// four-byte magic alone does not decide.
func probeXFS(w *window) (*FS, error) {
	sb, err := w.read(0, 128)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(sb[0:4], []byte("XFSB")) {
		return nil, nil
	}
	be := binary.BigEndian
	blockSize := be.Uint32(sb[4:])
	dblocks := be.Uint64(sb[8:])
	rextsize := uint64(be.Uint32(sb[80:]))
	agcount := be.Uint32(sb[88:])
	sectSize := uint32(be.Uint16(sb[102:]))
	inodeSize := uint32(be.Uint16(sb[104:]))
	blockLog, sectLog, inodeLog, inoPBLog := uint32(sb[120]), uint32(sb[121]), uint32(sb[122]), uint32(sb[123])
	imaxPct := sb[127]

	ok := agcount > 0 &&
		sectLog >= 9 && sectLog <= 15 && sectSize == 1<<sectLog &&
		blockLog >= 9 && blockLog <= 16 && blockSize == 1<<blockLog &&
		inodeLog >= 8 && inodeLog <= 11 && inodeSize == 1<<inodeLog &&
		blockLog-inodeLog == inoPBLog &&
		rextsize*uint64(blockSize) >= 4096 && rextsize*uint64(blockSize) <= 1<<30 &&
		imaxPct <= 100 && dblocks != 0
	if !ok {
		return nil, nil
	}
	return &FS{Type: "xfs", UUID: formatUUID(sb[32:48]), Label: cLabel(sb[108:120])}, nil
}
