package netroot

import (
	"fmt"
	"net"
	"strings"
)

const bootIFExpected = "01-<mac> with six hex pairs separated by \"-\", e.g. BOOTIF=01-52-54-00-12-34-56"

// parseBootIF reads pxelinux's IPAPPEND 2 value: the ARP hardware type (01, Ethernet) and the
// MAC, all separated by dashes.
func parseBootIF(v string) (net.HardwareAddr, error) {
	bad := func(format string, args ...any) error {
		return &ParamError{Param: "BOOTIF", Value: v, Reason: fmt.Sprintf(format, args...),
			Expected: bootIFExpected}
	}
	parts := strings.Split(v, "-")
	if len(parts) != 7 {
		return nil, bad("%d dash-separated fields, want 7", len(parts))
	}
	if parts[0] != "01" {
		return nil, bad("hardware type %q is not Ethernet (01)", parts[0])
	}
	mac := make(net.HardwareAddr, 6)
	for i, p := range parts[1:] {
		if len(p) != 2 {
			return nil, bad("MAC byte %q is not two hex digits", p)
		}
		var b byte
		for _, c := range []byte(p) {
			d, ok := hexDigit(c)
			if !ok {
				return nil, bad("MAC byte %q is not two hex digits", p)
			}
			b = b<<4 | d
		}
		mac[i] = b
	}
	return mac, nil
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
