package fsprobe

import "encoding/binary"

// erofs: superblock at 1024, magic 0xE0F5E1E2, UUID at +48, volume name at +64.
const (
	erofsSuperOffset = 1024
	erofsMagic       = 0xE0F5E1E2
)

func probeEROFS(w *window) (*FS, error) {
	sb, err := w.read(erofsSuperOffset, 80)
	if err != nil {
		return nil, err
	}
	if binary.LittleEndian.Uint32(sb[0:]) != erofsMagic {
		return nil, nil
	}
	return &FS{Type: "erofs", UUID: formatUUID(sb[48:64]), Label: cLabel(sb[64:80])}, nil
}
