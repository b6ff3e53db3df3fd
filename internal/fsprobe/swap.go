package fsprobe

import (
	"bytes"
	"encoding/binary"
)

// Swap areas carry their magic in the last 10 bytes of the first page, for any page size the
// kernel had (4 KiB to 64 KiB); a hibernation image in a swap area replaces it with its own.
// The v1 header at 1024 holds version, last page, UUID (+12) and label (+28).
const (
	swapMinSize    = 10 * 4096 // blkid ignores swap signatures on anything smaller
	swapHeader     = 1024
	tuxOnIceMagic  = "\xed\xc3\x02\xe9\x98\x56\xe5\x0c"
	swapHeaderSize = 12 + 16 + 16 + 4*34
)

var swsuspendMagics = []string{"S1SUSPEND", "S2SUSPEND", "ULSUSPEND", "LINHIB0001"}

func probeSwap(w *window) (*FS, error) {
	if w.size < swapMinSize {
		return nil, nil
	}
	head, err := w.read(0, len(tuxOnIceMagic))
	if err != nil {
		return nil, err
	}
	if string(head) == tuxOnIceMagic {
		return swapInfo(w, "swsuspend", false)
	}
	for page := int64(4096); page <= 65536; page *= 2 {
		m, err := w.read(page-10, 10)
		if err != nil {
			return nil, err
		}
		for _, s := range swsuspendMagics {
			if bytes.HasPrefix(m, []byte(s)) {
				return swapInfo(w, "swsuspend", false)
			}
		}
		switch string(m) {
		case "SWAPSPACE2":
			return swapInfo(w, "swap", true)
		case "SWAP-SPACE": // version 0: no UUID, no label
			return &FS{Type: "swap"}, nil
		}
	}
	return nil, nil
}

// swapInfo reads the v1 header. With checkV1 (SWAPSPACE2) a wrong version or a zero page count
// means it is not a swap area after all.
func swapInfo(w *window, typ string, checkV1 bool) (*FS, error) {
	h, err := w.read(swapHeader, swapHeaderSize)
	if err != nil {
		return nil, err
	}
	if checkV1 {
		v := binary.LittleEndian.Uint32(h[0:])
		if v != 1 && v != 0x01000000 { // either byte order
			return nil, nil
		}
		if binary.LittleEndian.Uint32(h[4:]) == 0 {
			return nil, nil
		}
	}
	fs := &FS{Type: typ}
	// blkid trusts UUID and label only when padding words 32 and 33 are zero.
	pad := h[12+16+16:]
	if allZero(pad[32*4 : 34*4]) {
		fs.UUID = formatUUID(h[12:28])
		fs.Label = cLabel(h[28:44])
	}
	return fs, nil
}
