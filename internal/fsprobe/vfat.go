package fsprobe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// FAT boot sector fields (offsets from the start of the device).
const (
	fatOffSectorSize  = 0x0b
	fatOffClusterSize = 0x0d
	fatOffReserved    = 0x0e
	fatOffFATs        = 0x10
	fatOffDirEntries  = 0x11
	fatOffSectors16   = 0x13
	fatOffMedia       = 0x15
	fatOffFATLength16 = 0x16
	fatOffSectors32   = 0x20
	fatOffFATLength32 = 0x24
	fatOffRootCluster = 0x2c // FAT32
	fatOffFSInfo      = 0x30 // FAT32
	fat16OffBootSig   = 0x26
	fat16OffSerial    = 0x27
	fat16OffLabel     = 0x2b
	fat16OffMagic     = 0x36
	fat32OffBootSig   = 0x42
	fat32OffSerial    = 0x43
	fat32OffLabel     = 0x47
	fat32OffMagic     = 0x52

	fat12MaxClusters = 0xFF4
	fat16MaxClusters = 0xFFF4
	fat32MaxClusters = 0x0FFFFFF6

	fatDirEntrySize = 32
	fatAttrVolumeID = 0x08
	fatAttrDir      = 0x10
	fatAttrLFN      = 0x0f
	fatMaxChain     = 99 // root directory clusters followed on FAT32, as blkid
)

var fatNoName = []byte("NO NAME    ")

// probeVFAT recognises FAT12, FAT16 and FAT32 (type "vfat"). The label is the volume label
// entry of the root directory, which is what blkid prints and what fatlabel and Windows change;
// when there is none it falls back to the boot sector's copy. "NO NAME" means no label.
func probeVFAT(w *window) (*FS, error) {
	bs, err := w.read(0, 512)
	if err != nil {
		return nil, err
	}
	geo, ok := fatGeometry(bs)
	if !ok {
		return nil, nil
	}
	le := binary.LittleEndian
	var rootLabel, bootLabel, serial []byte
	if le.Uint16(bs[fatOffFATLength16:]) != 0 {
		root := (geo.reserved + geo.fatSectors) * geo.sectorSize
		rootLabel, err = fatRootLabel(w, root, geo.dirEntries)
		if err != nil {
			return nil, err
		}
		if bs[fat16OffBootSig] == 0x29 {
			bootLabel = bs[fat16OffLabel : fat16OffLabel+11]
		}
		if bs[fat16OffBootSig] == 0x28 || bs[fat16OffBootSig] == 0x29 {
			serial = bs[fat16OffSerial : fat16OffSerial+4]
		}
	} else if le.Uint32(bs[fatOffFATLength32:]) != 0 {
		rootLabel, err = fat32RootLabel(w, bs, geo)
		if err != nil {
			return nil, err
		}
		if bs[fat32OffBootSig] == 0x29 {
			bootLabel = bs[fat32OffLabel : fat32OffLabel+11]
		}
		serial = bs[fat32OffSerial : fat32OffSerial+4]
		if ok, err := fatFSInfoOK(w, bs, geo); err != nil || !ok {
			return nil, err
		}
	}
	fs := &FS{Type: "vfat"}
	switch {
	case rootLabel != nil && !bytes.Equal(rootLabel, fatNoName):
		fs.Label = cLabel(rootLabel)
	case bootLabel != nil && !bytes.Equal(bootLabel, fatNoName):
		fs.Label = cLabel(bootLabel)
	}
	if serial != nil && !allZero(serial) {
		fs.UUID = fmt.Sprintf("%02X%02X-%02X%02X", serial[3], serial[2], serial[1], serial[0])
	}
	return fs, nil
}

type fatGeo struct {
	sectorSize, clusterSize, reserved, fatSectors, dirEntries int64
}

// fatGeometry applies blkid's checks to a boot sector: a FAT magic string or (for old
// floppies) the 0x55AA signature, then a geometry that makes sense.
func fatGeometry(bs []byte) (fatGeo, bool) {
	le := binary.LittleEndian
	magic := bytes.HasPrefix(bs[fat32OffMagic:], []byte("MSWIN")) ||
		bytes.HasPrefix(bs[fat32OffMagic:], []byte("FAT32   ")) ||
		bytes.HasPrefix(bs[fat16OffMagic:], []byte("MSDOS")) ||
		bytes.HasPrefix(bs[fat16OffMagic:], []byte("FAT16   ")) ||
		bytes.HasPrefix(bs[fat16OffMagic:], []byte("FAT12   ")) ||
		bytes.HasPrefix(bs[fat16OffMagic:], []byte("FAT     "))
	if !magic {
		if bs[510] != 0x55 || bs[511] != 0xAA {
			return fatGeo{}, false
		}
		// OS/2 puts a FAT-like header in front of JFS and HPFS.
		if bytes.HasPrefix(bs[fat16OffMagic:], []byte("JFS     ")) || bytes.HasPrefix(bs[fat16OffMagic:], []byte("HPFS    ")) {
			return fatGeo{}, false
		}
	}
	g := fatGeo{
		sectorSize:  int64(le.Uint16(bs[fatOffSectorSize:])),
		clusterSize: int64(bs[fatOffClusterSize]),
		reserved:    int64(le.Uint16(bs[fatOffReserved:])),
		dirEntries:  int64(le.Uint16(bs[fatOffDirEntries:])),
	}
	fats := int64(bs[fatOffFATs])
	media := bs[fatOffMedia]
	if fats == 0 || g.reserved == 0 || !(media >= 0xf8 || media == 0xf0) || !isPow2(g.clusterSize) ||
		!isPow2(g.sectorSize) || g.sectorSize < 512 || g.sectorSize > 4096 {
		return fatGeo{}, false
	}
	sectors := int64(le.Uint16(bs[fatOffSectors16:]))
	if sectors == 0 {
		sectors = int64(le.Uint32(bs[fatOffSectors32:]))
	}
	fat16Len := int64(le.Uint16(bs[fatOffFATLength16:]))
	fat32Len := int64(le.Uint32(bs[fatOffFATLength32:]))
	fatLen := fat16Len
	if fatLen == 0 {
		fatLen = fat32Len
	}
	g.fatSectors = fatLen * fats
	dirSectors := (g.dirEntries*fatDirEntrySize + g.sectorSize - 1) / g.sectorSize
	data := sectors - (g.reserved + g.fatSectors + dirSectors)
	if data < 0 {
		return fatGeo{}, false
	}
	clusters := data / g.clusterSize
	limit := int64(fat12MaxClusters)
	switch {
	case fat16Len == 0 && fat32Len != 0:
		limit = fat32MaxClusters
	case clusters > fat12MaxClusters:
		limit = fat16MaxClusters
	}
	if clusters > limit {
		return fatGeo{}, false
	}
	return g, true
}

func isPow2(n int64) bool { return n > 0 && n&(n-1) == 0 }

// fatRootLabel looks for the volume label entry among entries directory entries at off. It
// stops at the end-of-directory mark, and quietly when the read budget or the device ends.
func fatRootLabel(w *window, off, entries int64) ([]byte, error) {
	for i := int64(0); i < entries; i++ {
		e, err := w.read(off+i*fatDirEntrySize, fatDirEntrySize)
		if errors.Is(err, errShort) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if e[0] == 0 {
			return nil, nil
		}
		attr := e[11]
		if e[0] == 0xE5 || binary.LittleEndian.Uint16(e[20:]) != 0 || binary.LittleEndian.Uint16(e[26:]) != 0 ||
			attr&0x3f == fatAttrLFN {
			continue
		}
		if attr&(fatAttrVolumeID|fatAttrDir) == fatAttrVolumeID {
			name := bytes.Clone(e[0:11])
			if name[0] == 0x05 { // 0xE5 stored as 0x05 in directory entries
				name[0] = 0xE5
			}
			return name, nil
		}
	}
	return nil, nil
}

// fat32RootLabel follows the FAT32 root directory's cluster chain (at most fatMaxChain
// clusters, stopping at a loop) looking for the volume label entry.
func fat32RootLabel(w *window, bs []byte, g fatGeo) ([]byte, error) {
	le := binary.LittleEndian
	fatEntries := int64(le.Uint32(bs[fatOffFATLength32:])) * g.sectorSize / 4
	dataStart := g.reserved + g.fatSectors
	next := int64(le.Uint32(bs[fatOffRootCluster:]))
	seen := map[int64]bool{}
	for n := 0; n < fatMaxChain && next >= 2 && next < fatEntries && !seen[next]; n++ {
		seen[next] = true
		off := (dataStart + (next-2)*g.clusterSize) * g.sectorSize
		label, err := fatRootLabel(w, off, g.clusterSize*g.sectorSize/fatDirEntrySize)
		if label != nil || err != nil {
			return label, err
		}
		e, err := w.read(g.reserved*g.sectorSize+next*4, 4)
		if errors.Is(err, errShort) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		next = int64(le.Uint32(e) & 0x0fffffff)
	}
	return nil, nil
}

// fatFSInfoOK checks the FAT32 FSInfo sector's signatures; all-zero ones are accepted too.
func fatFSInfoOK(w *window, bs []byte, g fatGeo) (bool, error) {
	sect := int64(binary.LittleEndian.Uint16(bs[fatOffFSInfo:]))
	if sect == 0 {
		return true, nil
	}
	fi, err := w.read(sect*g.sectorSize, 488)
	if errors.Is(err, errShort) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	sig1, sig2 := string(fi[0:4]), string(fi[484:488])
	ok1 := sig1 == "RRaA" || sig1 == "RRdA" || sig1 == "\x00\x00\x00\x00"
	ok2 := sig2 == "rrAa" || sig2 == "\x00\x00\x00\x00"
	return ok1 && ok2, nil
}
