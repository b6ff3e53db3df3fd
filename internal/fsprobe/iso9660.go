package fsprobe

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// ISO 9660: volume descriptors of 2048 bytes from 32 KiB on, up to a terminator (type 255).
const (
	isoFirstVD    = 32 << 10
	isoSectorSize = 2048
	isoMaxVDs     = 16
	isoVDPrimary  = 1
	isoVDSupp     = 2
	isoVDEnd      = 255
	isoOffVolID   = 40  // 32 a-characters (PVD) or 16 UTF-16BE units (Joliet SVD)
	isoOffEscape  = 88  // Joliet escape sequences in an SVD
	isoOffCreated = 813 // 17-byte dates: 16 digits and a time zone offset
	isoOffModifed = 830
	isoVDLen      = isoOffModifed + 17
	hsfsOffVolID  = 48 // High Sierra: descriptor id at +9, volume id at +48
)

// probeISO9660 reads the label and the UUID blkid derives from the volume's modification (or
// creation) date. With a Joliet descriptor the label is rebuilt from the UTF-16 name and the
// longer ASCII one, as blkid does.
func probeISO9660(w *window) (*FS, error) {
	first, err := w.read(isoFirstVD, isoVDLen)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(first[9:14], []byte("CDROM")) && !bytes.Equal(first[1:6], []byte("CD001")) {
		return &FS{Type: "iso9660", Label: cLabel(first[hsfsOffVolID : hsfsOffVolID+32])}, nil
	}
	if !bytes.Equal(first[1:6], []byte("CD001")) {
		return nil, nil
	}
	var pvd, joliet []byte
scan:
	for i := int64(0); i < isoMaxVDs && (pvd == nil || joliet == nil); i++ {
		vd, err := w.read(isoFirstVD+i*isoSectorSize, isoVDLen)
		if errors.Is(err, errShort) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch {
		case vd[0] == isoVDEnd:
			break scan
		case vd[0] == isoVDPrimary && pvd == nil:
			pvd = vd
		case vd[0] == isoVDSupp && joliet == nil && isJolietEscape(vd[isoOffEscape:isoOffEscape+3]):
			joliet = vd
		}
	}
	if pvd == nil {
		return nil, nil
	}
	fs := &FS{Type: "iso9660"}
	if fs.UUID = isoDateUUID(pvd[isoOffModifed : isoOffModifed+17]); fs.UUID == "" {
		fs.UUID = isoDateUUID(pvd[isoOffCreated : isoOffCreated+17])
	}
	ascii := pvd[isoOffVolID : isoOffVolID+32]
	switch {
	case joliet == nil:
		fs.Label = cLabel(ascii)
	default:
		uni := joliet[isoOffVolID : isoOffVolID+32]
		if merged := mergeJolietLabel(uni, ascii); merged != nil {
			uni = merged
		}
		fs.Label = utf16Label(uni, true)
	}
	return fs, nil
}

func isJolietEscape(e []byte) bool {
	return e[0] == '%' && e[1] == '/' && (e[2] == '@' || e[2] == 'C' || e[2] == 'E')
}

// isoDateUUID turns "YYYYMMDDhhmmsscc" into "YYYY-MM-DD-hh-mm-ss-cc"; an unset date (all
// '0' digits and a zero offset) or one that is not all digits gives "".
func isoDateUUID(d []byte) string {
	zeros := 0
	for _, c := range d[:16] {
		if c < '0' || c > '9' {
			return ""
		}
		if c == '0' {
			zeros++
		}
	}
	if zeros == 16 && d[16] == 0 {
		return ""
	}
	s := string(d[:16])
	return s[0:4] + "-" + s[4:6] + "-" + s[6:8] + "-" + s[8:10] + "-" + s[10:12] + "-" + s[12:14] + "-" + s[14:16]
}

// mergeJolietLabel rebuilds a label from the Joliet name (UTF-16BE, at most 16 characters, but
// with the real case and non-ASCII characters) and the PVD name (up to 32 upper-case ASCII
// characters, '_' for what ASCII cannot say). When the Joliet name is such a prefix of the
// PVD name it returns the combined UTF-16BE name: Joliet's characters, then the rest of the
// PVD's. Otherwise it returns nil and the Joliet name is used as it is.
func mergeJolietLabel(uni, ascii []byte) []byte {
	out := make([]byte, 0, 2*len(ascii)+4)
	a := 0
	for u := 0; u+1 < len(uni) && a < len(ascii); u, a = u+2, a+1 {
		hi := binary.BigEndian.Uint16(uni[u:])
		if hi >= 0xD800 && hi <= 0xDBFF && u+3 < len(uni) {
			if lo := binary.BigEndian.Uint16(uni[u+2:]); lo >= 0xDC00 && lo <= 0xDFFF {
				// a pair stands for one PVD character; its second half is checked below
				out = append(out, uni[u], uni[u+1])
				u += 2
			}
		}
		c, ch := uni[u+1], ascii[a]
		isASCIIUnit := uni[u] == 0
		switch {
		case ch == '_':
			out = append(out, uni[u], c)
		case isASCIIUnit && c == '_':
			out = append(out, 0, ch)
		case isASCIIUnit && upper(ch) == upper(c):
			if ch >= 'A' && ch <= 'Z' {
				out = append(out, 0, c)
			} else {
				out = append(out, 0, ch)
			}
		default:
			return nil
		}
	}
	for ; a < len(ascii); a++ {
		out = append(out, 0, ascii[a])
	}
	return out
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
