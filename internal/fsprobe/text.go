package fsprobe

import (
	"encoding/binary"
	"encoding/hex"
	"unicode/utf16"
	"unicode/utf8"
)

// formatUUID spells 16 bytes the way blkid does: lower-case 8-4-4-4-12 in on-disk byte order.
// An all-zero UUID is no UUID and gives "".
func formatUUID(b []byte) string {
	if len(b) != 16 || allZero(b) {
		return ""
	}
	return spellUUID(b)
}

// formatGUID spells a GPT GUID: its first three fields are little-endian on disk.
func formatGUID(b []byte) string {
	if len(b) != 16 {
		return ""
	}
	var s [16]byte
	copy(s[:], b)
	binary.BigEndian.PutUint32(s[0:], binary.LittleEndian.Uint32(b[0:]))
	binary.BigEndian.PutUint16(s[4:], binary.LittleEndian.Uint16(b[4:]))
	binary.BigEndian.PutUint16(s[6:], binary.LittleEndian.Uint16(b[6:]))
	return spellUUID(s[:])
}

func spellUUID(b []byte) string {
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// isCSpace is C's isspace in the C locale, which blkid uses to trim labels.
func isCSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// cLabel turns a fixed-size on-disk label into a string as blkid does: it ends at the first NUL,
// and trailing white space is dropped. The bytes are kept as they are (labels are not always
// UTF-8).
func cLabel(b []byte) string {
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	for len(b) > 0 && isCSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return string(b)
}

// utf16Label decodes a fixed-size UTF-16 label (little- or big-endian) to UTF-8: it ends at the
// first NUL code unit, surrogate pairs are joined, a lone surrogate becomes U+FFFD, and
// trailing white space is dropped.
func utf16Label(b []byte, bigEndian bool) string {
	units := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		var u uint16
		if bigEndian {
			u = binary.BigEndian.Uint16(b[i:])
		} else {
			u = binary.LittleEndian.Uint16(b[i:])
		}
		if u == 0 {
			break
		}
		units = append(units, u)
	}
	buf := make([]byte, 0, len(units))
	for _, r := range utf16.Decode(units) {
		buf = utf8.AppendRune(buf, r)
	}
	for len(buf) > 0 && isCSpace(buf[len(buf)-1]) {
		buf = buf[:len(buf)-1]
	}
	return string(buf)
}
