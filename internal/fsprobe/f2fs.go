package fsprobe

import "encoding/binary"

// f2fs: superblock at 1024, magic 0xF2F52010, UUID at +0x6C, UTF-16LE volume name of 512
// units at +0x7C. Version 1.0 superblocks had another layout: type only.
const (
	f2fsSuperOffset = 1024
	f2fsMagic       = 0xF2F52010
	f2fsOffUUID     = 0x6C
	f2fsOffName     = 0x7C
	f2fsNameBytes   = 1024
)

func probeF2FS(w *window) (*FS, error) {
	sb, err := w.read(f2fsSuperOffset, f2fsOffName+f2fsNameBytes)
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	if le.Uint32(sb[0:]) != f2fsMagic {
		return nil, nil
	}
	if le.Uint16(sb[4:]) == 1 && le.Uint16(sb[6:]) == 0 {
		return &FS{Type: "f2fs"}, nil
	}
	fs := &FS{Type: "f2fs", UUID: formatUUID(sb[f2fsOffUUID : f2fsOffUUID+16])}
	if sb[f2fsOffName] != 0 { // blkid looks at the first byte only
		fs.Label = utf16Label(sb[f2fsOffName:f2fsOffName+f2fsNameBytes], false)
	}
	return fs, nil
}
