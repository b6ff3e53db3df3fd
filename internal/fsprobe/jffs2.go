package fsprobe

import (
	"encoding/binary"
	"hash/crc32"
)

// jffs2 starts with a node header: magic 0x1985, node type, total length, and a CRC-32 of
// those 8 bytes, in the image's byte order. blkid does not know jffs2; the header CRC keeps
// the two-byte magic from matching by chance. jffs2 has no UUID and no label.
const jffs2Magic = 0x1985

func probeJFFS2(w *window) (*FS, error) {
	h, err := w.read(0, 12)
	if err != nil {
		return nil, err
	}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		if order.Uint16(h[0:]) != jffs2Magic {
			continue
		}
		// jffs2's CRC is the kernel's crc32_le seeded with 0 and not inverted at either end.
		crc := ^crc32.Update(0xFFFFFFFF, crc32.IEEETable, h[0:8])
		if order.Uint32(h[8:]) == crc && order.Uint32(h[4:]) >= 12 {
			return &FS{Type: "jffs2"}, nil
		}
	}
	return nil, nil
}
