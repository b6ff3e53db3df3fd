package archive

import (
	"fmt"
	"io/fs"
)

// File type bits of a newc mode field (the Linux st_mode values).
const (
	TypeMask    = 0o170000
	TypeSocket  = 0o140000
	TypeSymlink = 0o120000
	TypeRegular = 0o100000
	TypeBlock   = 0o060000
	TypeDir     = 0o040000
	TypeChar    = 0o020000
	TypeFIFO    = 0o010000

	modeSetuid = 0o4000
	modeSetgid = 0o2000
	modeSticky = 0o1000
)

// permBits converts the permission part of an fs.FileMode (rwx plus setuid, setgid, sticky)
// into newc mode bits. Any file type bit in mode is an error: the Add method decides the type.
func permBits(mode fs.FileMode) (uint32, error) {
	if t := mode & (fs.ModeType | fs.ModeAppend | fs.ModeExclusive | fs.ModeTemporary | fs.ModeCharDevice | fs.ModeIrregular); t != 0 {
		return 0, fmt.Errorf("mode %v: want permission bits only (like 0644), not a file type", mode)
	}
	// Both spellings are accepted: fs.ModeSetuid etc. and the Unix octal bits 0o7000, which
	// fs.FileMode leaves unused (so 0o1777 means what it means to chmod).
	m := uint32(mode & 0o7777)
	if mode&fs.ModeSetuid != 0 {
		m |= modeSetuid
	}
	if mode&fs.ModeSetgid != 0 {
		m |= modeSetgid
	}
	if mode&fs.ModeSticky != 0 {
		m |= modeSticky
	}
	return m, nil
}

// ModeString renders a newc mode the way ls -l does: "drwxr-xr-x", "crw-------", "-rwsr-xr-x".
func ModeString(mode uint32) string {
	var b [10]byte
	switch mode & TypeMask {
	case TypeDir:
		b[0] = 'd'
	case TypeSymlink:
		b[0] = 'l'
	case TypeChar:
		b[0] = 'c'
	case TypeBlock:
		b[0] = 'b'
	case TypeFIFO:
		b[0] = 'p'
	case TypeSocket:
		b[0] = 's'
	case TypeRegular:
		b[0] = '-'
	default:
		b[0] = '?'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if mode&(1<<(8-i)) != 0 {
			b[1+i] = rwx[i]
		} else {
			b[1+i] = '-'
		}
	}
	special := func(pos int, set bool, lower, upper byte) {
		if !set {
			return
		}
		if b[pos] == '-' {
			b[pos] = upper
		} else {
			b[pos] = lower
		}
	}
	special(3, mode&modeSetuid != 0, 's', 'S')
	special(6, mode&modeSetgid != 0, 's', 'S')
	special(9, mode&modeSticky != 0, 't', 'T')
	return string(b[:])
}
