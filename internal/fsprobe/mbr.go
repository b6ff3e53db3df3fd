package fsprobe

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// MBR: four 16-byte entries at 446, the disk signature at 440.
const (
	mbrOffEntries = 446
	mbrOffDiskSig = 440
)

func isExtended(typ byte) bool { return typ == 0x05 || typ == 0x0f || typ == 0x85 }

type mbrEntry struct {
	boot, typ   byte
	start, size int64 // sectors
}

func mbrEntries(sec []byte) [4]mbrEntry {
	var es [4]mbrEntry
	for i := range es {
		e := sec[mbrOffEntries+16*i:]
		es[i] = mbrEntry{
			boot:  e[0],
			typ:   e[4],
			start: int64(binary.LittleEndian.Uint32(e[8:])),
			size:  int64(binary.LittleEndian.Uint32(e[12:])),
		}
	}
	return es
}

// mbr parses a DOS partition table like the kernel and blkid: boot indicators must be 0 or
// 0x80, a FAT boot sector is not a partition table, primary partitions are numbered 1-4 by
// slot, logical ones in extended partitions from 5.
func (d *disk) mbr(sec []byte) ([]Partition, error) {
	es := mbrEntries(sec)
	for _, e := range es {
		if e.boot != 0 && e.boot != 0x80 {
			return nil, fmt.Errorf("MBR: boot indicator 0x%02x is neither 0 nor 0x80: %w", e.boot, ErrNoTable)
		}
	}
	if _, isFAT := fatGeometry(sec); isFAT {
		return nil, fmt.Errorf("MBR: sector 0 is a FAT boot sector: %w", ErrNoTable)
	}
	sig := binary.LittleEndian.Uint32(sec[mbrOffDiskSig:])
	parts := []Partition{}
	add := func(num int, e mbrEntry, start int64) {
		parts = append(parts, Partition{
			Number:   num,
			Start:    start * d.ss,
			Size:     e.size * d.ss,
			PartUUID: fmt.Sprintf("%08x-%02x", sig, num),
			Type:     fmt.Sprintf("0x%x", e.typ),
		})
	}
	for i, e := range es {
		if e.size != 0 {
			add(i+1, e, e.start)
		}
	}
	next := 5
	for _, e := range es {
		if e.size == 0 || !isExtended(e.typ) || e.start == 0 {
			continue
		}
		var err error
		if next, err = d.logical(e.start, e.size, next, add, parts); err != nil {
			return nil, err
		}
	}
	return parts, nil
}

// logical follows the chain of extended boot records of the extended partition at exStart
// (exSize sectors), adding its logical partitions from number next on. It returns the next
// free number. A broken chain ends the list quietly, as in the kernel.
func (d *disk) logical(exStart, exSize int64, next int, add func(int, mbrEntry, int64), seen []Partition) (int, error) {
	cur, curSize := exStart, exSize
	starts := map[int64]bool{}
	for _, p := range seen {
		starts[p.Start/d.ss] = true
	}
	visited := map[int64]bool{}
	for hops := 0; hops < maxLogical && !visited[cur]; hops++ {
		visited[cur] = true
		sec, err := d.sector(cur)
		if errors.Is(err, errShort) {
			return next, nil
		}
		if err != nil {
			return next, err
		}
		if sec[510] != 0x55 || sec[511] != 0xAA {
			return next, nil
		}
		es := mbrEntries(sec)
		for i, e := range es {
			if e.size == 0 || isExtended(e.typ) {
				continue
			}
			abs := cur + e.start
			// entries 3 and 4 of an EBR often hold garbage: only take them when they fit
			if i >= 2 && (e.start+e.size > curSize || abs < exStart || abs+e.size > exStart+exSize) {
				continue
			}
			if starts[abs] {
				continue
			}
			starts[abs] = true
			add(next, e, abs)
			next++
		}
		link := -1
		for i, e := range es {
			if e.size != 0 && isExtended(e.typ) && e.start != 0 {
				link = i
				break
			}
		}
		if link < 0 {
			return next, nil
		}
		cur, curSize = exStart+es[link].start, es[link].size
	}
	return next, nil
}
