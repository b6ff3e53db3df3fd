package fsprobe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// GPT header fields (in the sector at MyLBA).
const (
	gptSignature      = "EFI PART"
	gptMinHeaderSize  = 92
	gptEntrySize      = 128
	gptOffHeaderSize  = 12
	gptOffHeaderCRC   = 16
	gptOffMyLBA       = 24
	gptOffFirstUsable = 40
	gptOffLastUsable  = 48
	gptOffEntriesLBA  = 72
	gptOffNumEntries  = 80
	gptOffEntrySize   = 84
	gptOffEntriesCRC  = 88
	mbrTypeGPT        = 0xEE
)

// hasProtectiveMBR reports whether one of the four MBR slots has type 0xEE (also true for a
// hybrid MBR).
func hasProtectiveMBR(mbr []byte) bool {
	for i := 0; i < 4; i++ {
		if mbr[446+16*i+4] == mbrTypeGPT {
			return true
		}
	}
	return false
}

// gpt reads the primary GPT at LBA 1, or the backup in the last sector when the primary is
// damaged.
func (d *disk) gpt() ([]Partition, error) {
	last := d.size/d.ss - 1
	if last < 1 {
		return nil, fmt.Errorf("GPT: device of %d bytes holds no header: %w", d.size, ErrNoTable)
	}
	parts, perr := d.gptAt(1, last)
	if perr == nil {
		return parts, nil
	}
	if !errors.Is(perr, ErrNoTable) {
		return nil, perr
	}
	parts, berr := d.gptAt(last, last)
	if berr == nil {
		return parts, nil
	}
	if !errors.Is(berr, ErrNoTable) {
		return nil, berr
	}
	return nil, fmt.Errorf("protective MBR but no valid GPT: primary at LBA 1: %v; backup at LBA %d: %w", perr, last, berr)
}

// gptAt validates the header at lba (last is the device's last LBA) and reads its entries.
// Invalid headers or entry arrays give errors wrapping ErrNoTable.
func (d *disk) gptAt(lba, last int64) ([]Partition, error) {
	le := binary.LittleEndian
	h, err := d.sector(lba)
	if errors.Is(err, errShort) {
		return nil, fmt.Errorf("header beyond the device: %w", ErrNoTable)
	}
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(h[0:8], []byte(gptSignature)) {
		return nil, fmt.Errorf("no %q signature: %w", gptSignature, ErrNoTable)
	}
	hsize := int64(le.Uint32(h[gptOffHeaderSize:]))
	if hsize < gptMinHeaderSize || hsize > d.ss {
		return nil, fmt.Errorf("header size %d: %w", hsize, ErrNoTable)
	}
	hdr := bytes.Clone(h[:hsize])
	want := le.Uint32(hdr[gptOffHeaderCRC:])
	le.PutUint32(hdr[gptOffHeaderCRC:], 0)
	if got := crc32.ChecksumIEEE(hdr); got != want {
		return nil, fmt.Errorf("header CRC %08x, want %08x: %w", got, want, ErrNoTable)
	}
	if my := le.Uint64(h[gptOffMyLBA:]); my != uint64(lba) {
		return nil, fmt.Errorf("header says it is at LBA %d: %w", my, ErrNoTable)
	}
	first, lastUsable := le.Uint64(h[gptOffFirstUsable:]), le.Uint64(h[gptOffLastUsable:])
	if lastUsable < first || first > uint64(last) || lastUsable > uint64(last) || (first < uint64(lba) && uint64(lba) < lastUsable) {
		return nil, fmt.Errorf("usable LBAs %d-%d do not fit a disk of %d sectors: %w", first, lastUsable, last+1, ErrNoTable)
	}
	n, esize := int64(le.Uint32(h[gptOffNumEntries:])), int64(le.Uint32(h[gptOffEntrySize:]))
	if esize != gptEntrySize || n == 0 || n*esize > maxGPTEntryBytes {
		return nil, fmt.Errorf("%d entries of %d bytes: %w", n, esize, ErrNoTable)
	}
	elba := le.Uint64(h[gptOffEntriesLBA:])
	if elba > uint64(last) {
		return nil, fmt.Errorf("entries at LBA %d beyond the device: %w", elba, ErrNoTable)
	}
	ents, err := d.read(int64(elba)*d.ss, n*esize)
	if errors.Is(err, errShort) {
		return nil, fmt.Errorf("entries at LBA %d run past the device: %w", elba, ErrNoTable)
	}
	if err != nil {
		return nil, err
	}
	if got, want := crc32.ChecksumIEEE(ents), le.Uint32(h[gptOffEntriesCRC:]); got != want {
		return nil, fmt.Errorf("entry array CRC %08x, want %08x: %w", got, want, ErrNoTable)
	}
	parts := []Partition{}
	for i := int64(0); i < n; i++ {
		e := ents[i*esize : (i+1)*esize]
		if allZero(e[0:16]) {
			continue // unused entry
		}
		start, end := le.Uint64(e[32:]), le.Uint64(e[40:])
		if start < first || end < start || end > lastUsable {
			continue // outside the usable area: blkid skips it, and so does the kernel
		}
		parts = append(parts, Partition{
			Number:    int(i) + 1,
			Start:     int64(start) * d.ss,
			Size:      int64(end-start+1) * d.ss,
			PartUUID:  formatGUID(e[16:32]),
			PartLabel: utf16Label(e[56:128], false),
			Type:      formatGUID(e[0:16]),
		})
	}
	return parts, nil
}
