package build

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// The x86 boot protocol's setup header (Documentation/arch/x86/boot.rst): the magic "HdrS" at
// 0x202, the protocol version at 0x206 and, from version 2.00, at 0x20e a pointer to the
// kernel's version string, less 0x200.
const (
	bzMagicOff    = 0x202
	bzVersionOff  = 0x206
	bzKernVerOff  = 0x20e
	bzHeaderBytes = 64 << 10 // the setup code and its version string come well before this
)

// ErrNotBzImage says a kernel file carries no x86 setup header with a version string, so its
// release cannot be read from it.
var ErrNotBzImage = errors.New("not an x86 bzImage with a version string")

// KernelImageRelease reads the release (uname -r, e.g. 6.1.0-56-amd64) from the x86 kernel
// image at path, as PXELINUX and GRUB load it.
func KernelImageRelease(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read kernel release: %w", err)
	}
	defer f.Close()
	head := make([]byte, bzHeaderBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read kernel release of %q: %w", path, err)
	}
	rel, err := BzImageRelease(head[:n])
	if err != nil {
		return "", fmt.Errorf("read kernel release of %q: %w", path, err)
	}
	return rel, nil
}

// BzImageRelease returns the first word of the version string a bzImage's setup header points
// to ("6.1.0-56-amd64 (debian-kernel@…) #1 SMP …" gives 6.1.0-56-amd64).
func BzImageRelease(head []byte) (string, error) {
	if len(head) < bzKernVerOff+2 || string(head[bzMagicOff:bzMagicOff+4]) != "HdrS" {
		return "", ErrNotBzImage
	}
	if binary.LittleEndian.Uint16(head[bzVersionOff:]) < 0x0200 {
		return "", fmt.Errorf("%w: boot protocol %#x is older than 2.00", ErrNotBzImage, binary.LittleEndian.Uint16(head[bzVersionOff:]))
	}
	ptr := binary.LittleEndian.Uint16(head[bzKernVerOff:])
	off := int(ptr) + 0x200
	if ptr == 0 || off >= len(head) {
		return "", fmt.Errorf("%w: the version pointer %#x lies outside the header", ErrNotBzImage, ptr)
	}
	s := head[off:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	} else {
		return "", fmt.Errorf("%w: the version string at %#x has no end", ErrNotBzImage, off)
	}
	rel, _, _ := strings.Cut(string(s), " ")
	if !validRelease(rel) {
		return "", fmt.Errorf("%w: the version string %q does not start with a release", ErrNotBzImage, truncate(string(s), 80))
	}
	return rel, nil
}

// validRelease accepts what can name a directory under /lib/modules and starts with a digit.
func validRelease(r string) bool {
	if r == "" || r[0] < '0' || r[0] > '9' || len(r) > 64 {
		return false
	}
	for _, c := range r {
		if c <= ' ' || c > '~' || c == '/' {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
