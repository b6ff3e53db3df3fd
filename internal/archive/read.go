package archive

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
)

// Entry is one record read back from an archive.
type Entry struct {
	Name   string // as stored: "init", "lib/modules", "."
	Mode   uint32 // type and permission bits
	Ino    uint32
	UID    uint32
	GID    uint32
	NLink  uint32
	MTime  uint32
	Size   int64
	Rmajor uint32
	Rminor uint32
	Target string // symlink target
	Data   []byte // regular file contents
}

// Image is a whole initramfs read back: the compression of each of its segments (archives
// concatenated the way the kernel reads them) and the records of all of them, in order.
type Image struct {
	Segments []Compression
	Entries  []Entry
}

// Lookup returns the last entry named name (later records win, as when the kernel unpacks).
func (im *Image) Lookup(name string) (Entry, bool) {
	for i := len(im.Entries) - 1; i >= 0; i-- {
		if im.Entries[i].Name == name {
			return im.Entries[i], true
		}
	}
	return Entry{}, false
}

// ReadFile reads and parses the initramfs at path.
func ReadFile(path string) (*Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read image: %w", err)
	}
	im, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("read image %q: %w", path, err)
	}
	return im, nil
}

// Parse reads an initramfs held in data: uncompressed newc archives, each possibly followed by
// zero padding, and at most one compressed stream at the end, whose contents are parsed the same
// way (several archives and padding, no further compression).
func Parse(data []byte) (*Image, error) {
	im := &Image{}
	compressed := false
	for off := 0; ; {
		for off < len(data) && data[off] == 0 {
			off++
		}
		if off == len(data) {
			if len(im.Segments) == 0 {
				return nil, fmt.Errorf("parse archive: no archive in %d bytes", len(data))
			}
			return im, nil
		}
		c, err := Detect(data[off:])
		if err != nil {
			return nil, fmt.Errorf("parse archive at offset %d: %w", off, err)
		}
		if c != None {
			if compressed {
				return nil, fmt.Errorf("parse archive at offset %d: %s data inside compressed data", off, c)
			}
			im.Segments = append(im.Segments, c)
			r, err := NewReader(bytes.NewReader(data[off:]), c)
			if err != nil {
				return nil, fmt.Errorf("parse archive at offset %d: %w", off, err)
			}
			plain, err := io.ReadAll(r)
			r.Close()
			if err != nil {
				return nil, fmt.Errorf("parse archive at offset %d: decompress %s: %w", off, c, err)
			}
			data, off, compressed = plain, 0, true
			continue
		}
		if !compressed {
			im.Segments = append(im.Segments, None)
		}
		entries, n, err := ParseNewc(data[off:])
		if err != nil {
			return nil, fmt.Errorf("parse archive at offset %d: %w", off, err)
		}
		im.Entries = append(im.Entries, entries...)
		off += n
	}
}

const (
	newcHeaderLen = 110
	trailerName   = "TRAILER!!!"
)

// ParseNewc reads one newc archive from the start of data up to and including its trailer. It
// returns the records (Data slices point into data) and the number of bytes consumed, padding
// after the trailer to a multiple of 4 included.
func ParseNewc(data []byte) ([]Entry, int, error) {
	var entries []Entry
	off := 0
	for {
		e, next, err := parseRecord(data, off)
		if err != nil {
			return nil, 0, err
		}
		if e.Name == trailerName {
			return entries, min(next, len(data)), nil
		}
		entries = append(entries, e)
		off = next
	}
}

// parseRecord reads the record at off and returns it with the offset of the next record.
func parseRecord(data []byte, off int) (Entry, int, error) {
	if len(data)-off < newcHeaderLen {
		return Entry{}, 0, fmt.Errorf("record at offset %d: truncated header (%d bytes left, want %d); no trailer", off, len(data)-off, newcHeaderLen)
	}
	h := data[off : off+newcHeaderLen]
	if m := string(h[:6]); m != "070701" && m != "070702" {
		return Entry{}, 0, fmt.Errorf("record at offset %d: magic %q, want \"070701\" (newc)", off, m)
	}
	var f [13]uint32
	names := [13]string{"ino", "mode", "uid", "gid", "nlink", "mtime", "filesize", "devmajor", "devminor", "rdevmajor", "rdevminor", "namesize", "check"}
	for i := range f {
		s := string(h[6+8*i : 14+8*i])
		v, err := strconv.ParseUint(s, 16, 32)
		if err != nil {
			return Entry{}, 0, fmt.Errorf("record at offset %d: field %s %q: want 8 hex digits", off, names[i], s)
		}
		f[i] = uint32(v)
	}
	nameSize, fileSize := int64(f[11]), int64(f[6])
	nameStart := int64(off) + newcHeaderLen
	if nameSize == 0 || nameSize > int64(len(data))-nameStart {
		return Entry{}, 0, fmt.Errorf("record at offset %d: name size %d does not fit in the %d bytes left", off, nameSize, int64(len(data))-nameStart)
	}
	nameEnd := nameStart + nameSize
	if data[nameEnd-1] != 0 {
		return Entry{}, 0, fmt.Errorf("record at offset %d: name is not NUL-terminated", off)
	}
	e := Entry{
		Name: string(data[nameStart : nameEnd-1]), Ino: f[0], Mode: f[1], UID: f[2], GID: f[3],
		NLink: f[4], MTime: f[5], Size: fileSize, Rmajor: f[9], Rminor: f[10],
	}
	dataStart := align4(nameEnd)
	if fileSize == 0 && dataStart > int64(len(data)) {
		dataStart = int64(len(data)) // an empty last record whose padding is cut off
	}
	if fileSize > int64(len(data))-dataStart {
		return Entry{}, 0, fmt.Errorf("record %q at offset %d: file size %d does not fit in the %d bytes left", e.Name, off, fileSize, max(int64(len(data))-dataStart, 0))
	}
	body := data[dataStart : dataStart+fileSize]
	switch e.Mode & TypeMask {
	case TypeSymlink:
		e.Target = string(body)
	case TypeRegular:
		e.Data = body
	}
	return e, int(align4(dataStart + fileSize)), nil
}

func align4(n int64) int64 { return (n + 3) &^ 3 }

// String renders e as one ls-like line: mode, size (or major, minor for devices), name, and
// "-> target" for a symlink.
func (e Entry) String() string {
	size := strconv.FormatInt(e.Size, 10)
	if t := e.Mode & TypeMask; t == TypeChar || t == TypeBlock {
		size = fmt.Sprintf("%d, %d", e.Rmajor, e.Rminor)
	}
	s := fmt.Sprintf("%s %10s %s", ModeString(e.Mode), size, e.Name)
	if e.Mode&TypeMask == TypeSymlink {
		s += " -> " + e.Target
	}
	return s
}
