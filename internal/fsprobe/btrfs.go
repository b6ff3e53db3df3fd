package fsprobe

import "bytes"

// btrfs keeps its primary superblock at 64 KiB: fsid at 0x20, magic at 0x40, label at 0x12b.
const btrfsSuperOffset = 64 << 10

func probeBtrfs(w *window) (*FS, error) {
	sb, err := w.read(btrfsSuperOffset, 0x12b+256)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(sb[0x40:0x48], []byte("_BHRfS_M")) {
		return nil, nil
	}
	return &FS{Type: "btrfs", UUID: formatUUID(sb[0x20:0x30]), Label: cLabel(sb[0x12b : 0x12b+256])}, nil
}
