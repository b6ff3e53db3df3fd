package fsprobe

import (
	"errors"
	"fmt"
	"io"
)

// Partition is one entry of a partition table, as the kernel numbers it.
type Partition struct {
	// Number is the kernel's partition number: the GPT entry index + 1; 1-4 for MBR primary
	// partitions (empty slots keep their numbers) and 5 on for logical ones.
	Number int
	// Start and Size are in bytes.
	Start, Size int64
	// PartUUID is the GPT unique partition GUID (lower-case), or for MBR
	// "<disk signature as 8 lower-case hex digits>-<number as 2 hex digits>".
	PartUUID string
	// PartLabel is the GPT partition name (UTF-8); MBR partitions have none.
	PartLabel string
	// Type is the GPT partition type GUID (lower-case) or the MBR type byte as "0x83".
	Type string
}

// ErrNoTable is wrapped by Partitions' error when the device has no GPT or MBR partition table
// (for example a filesystem on the whole device).
var ErrNoTable = errors.New("no partition table")

// maxGPTEntryBytes bounds the GPT entry array Partitions reads (the usual one is 16 KiB).
const maxGPTEntryBytes = 1 << 20

// maxLogical bounds the chain of MBR extended boot records followed.
const maxLogical = 128

// Partitions reads the GPT (primary, else backup) or MBR partition table of a device of size
// bytes whose logical sectors are sectorSize bytes (0 means 512). A GPT needs a protective MBR,
// as the kernel wants. A device with neither table gives an error wrapping ErrNoTable; a table
// without partitions gives an empty slice.
func Partitions(r io.ReaderAt, size int64, sectorSize int) ([]Partition, error) {
	if r == nil {
		return nil, errors.New("read partition table: no reader")
	}
	if size < 0 {
		return nil, fmt.Errorf("read partition table: device size %d: must not be negative", size)
	}
	if sectorSize == 0 {
		sectorSize = 512
	}
	if sectorSize < 512 || sectorSize > 65536 || sectorSize&(sectorSize-1) != 0 {
		return nil, fmt.Errorf("read partition table: sector size %d: want a power of two from 512 to 65536", sectorSize)
	}
	d := &disk{r: r, size: size, ss: int64(sectorSize)}
	mbr, err := d.sector(0)
	if errors.Is(err, errShort) {
		return nil, fmt.Errorf("read partition table: device of %d bytes is smaller than a sector: %w", size, ErrNoTable)
	}
	if err != nil {
		return nil, fmt.Errorf("read partition table: %w", err)
	}
	if mbr[510] != 0x55 || mbr[511] != 0xAA {
		return nil, fmt.Errorf("read partition table: no 0x55AA signature in sector 0: %w", ErrNoTable)
	}
	if hasProtectiveMBR(mbr) {
		parts, err := d.gpt()
		if err != nil {
			return nil, fmt.Errorf("read partition table: %w", err)
		}
		return parts, nil
	}
	parts, err := d.mbr(mbr)
	if err != nil {
		return nil, fmt.Errorf("read partition table: %w", err)
	}
	return parts, nil
}

// disk reads whole sectors of a device, never outside [0, size).
type disk struct {
	r    io.ReaderAt
	size int64
	ss   int64
}

// read returns n bytes at off, errShort when they are not all inside the device.
func (d *disk) read(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off > d.size || n > d.size-off {
		return nil, errShort
	}
	buf := make([]byte, n)
	got, err := d.r.ReadAt(buf, off)
	if got == len(buf) {
		return buf, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return nil, errShort
	}
	return nil, fmt.Errorf("read %d bytes at offset %d: %w", n, off, err)
}

func (d *disk) sector(lba int64) ([]byte, error) {
	if lba < 0 || lba > d.size/d.ss {
		return nil, errShort
	}
	return d.read(lba*d.ss, d.ss)
}
