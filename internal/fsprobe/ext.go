package fsprobe

import "encoding/binary"

// ext2/3/4 superblock: 1024 bytes from the start; offsets are within it.
const (
	extSuperOffset  = 1024
	extMagic        = 0xEF53
	extOffMagic     = 0x38
	extOffCompat    = 0x5C
	extOffIncompat  = 0x60
	extOffROCompat  = 0x64
	extOffUUID      = 0x68
	extOffLabel     = 0x78
	extOffFlags     = 0x160
	extFlagTestFS   = 0x0004 // s_flags: filesystem for ext4dev
	extHasJournal   = 0x0004 // compat
	extJournalDev   = 0x0008 // incompat: an external journal, not a filesystem
	extIncompatFT   = 0x0002 // filetype
	extIncompatRec  = 0x0004 // needs recovery (ext3 journal replay)
	extIncompatMeta = 0x0010 // meta_bg
	// ro_compat features ext2 and ext3 both know: sparse_super, large_file, btree_dir.
	extROCompatOld = 0x0001 | 0x0002 | 0x0004
	ext2Incompat   = extIncompatFT | extIncompatMeta
	ext3Incompat   = extIncompatFT | extIncompatRec | extIncompatMeta
)

// probeExt tells ext2, ext3 and ext4 apart by feature flags, as blkid does: ext4 is anything
// with a feature ext3 does not know (extents, 64bit, flex_bg, huge_file, metadata_csum, ...),
// ext3 has a journal and nothing more, ext2 has neither.
func probeExt(w *window) (*FS, error) {
	sb, err := w.read(extSuperOffset, 0x200)
	if err != nil {
		return nil, err
	}
	if binary.LittleEndian.Uint16(sb[extOffMagic:]) != extMagic {
		return nil, nil
	}
	compat := binary.LittleEndian.Uint32(sb[extOffCompat:])
	incompat := binary.LittleEndian.Uint32(sb[extOffIncompat:])
	rocompat := binary.LittleEndian.Uint32(sb[extOffROCompat:])
	flags := binary.LittleEndian.Uint32(sb[extOffFlags:])

	var typ string
	switch {
	case incompat&extJournalDev != 0:
		typ = "jbd"
	case flags&extFlagTestFS != 0:
		typ = "ext4dev"
	case rocompat&^extROCompatOld != 0 || incompat&^ext3Incompat != 0:
		typ = "ext4"
	case compat&extHasJournal != 0:
		typ = "ext3"
	case incompat&^ext2Incompat != 0:
		return nil, nil // needs_recovery without a journal: blkid calls it nothing
	default:
		typ = "ext2"
	}
	return &FS{
		Type:  typ,
		UUID:  formatUUID(sb[extOffUUID : extOffUUID+16]),
		Label: cLabel(sb[extOffLabel : extOffLabel+16]),
	}, nil
}
