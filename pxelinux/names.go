// Package pxelinux names, writes and reads PXELINUX configuration files: the per-client file
// names PXELINUX tries over TFTP (pxelinux.cfg/01-<mac>, the hex IP and its prefixes, default)
// and the LABEL/KERNEL/INITRD/APPEND text those files hold. It is pure: no file or network I/O.
package pxelinux

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// DefaultName is the file PXELINUX falls back to when no client-specific file exists.
const DefaultName = "default"

// ConfigNames returns the file names under pxelinux.cfg/ that PXELINUX tries for a client, in
// its lookup order: "01-" and the MAC in lower-case hex separated by dashes (01 is the ARP
// hardware type of Ethernet), then the client's IPv4 address as eight upper-case hex digits and
// each shorter prefix down to one digit, then "default". A nil or non-Ethernet mac and an
// invalid or non-IPv4 ip leave their names out. (PXELINUX tries the client UUID first; the
// UUID is not known here.)
func ConfigNames(mac net.HardwareAddr, ip netip.Addr) []string {
	var names []string
	if n := MACName(mac); n != "" {
		names = append(names, n)
	}
	if h := IPName(ip); h != "" {
		for i := len(h); i >= 1; i-- {
			names = append(names, h[:i])
		}
	}
	return append(names, DefaultName)
}

// MACName is the per-MAC file name, "01-52-54-00-12-34-56", or "" when mac is not a 6-byte
// Ethernet address.
func MACName(mac net.HardwareAddr) string {
	if len(mac) != 6 {
		return ""
	}
	var b strings.Builder
	b.WriteString("01")
	for _, x := range mac {
		fmt.Fprintf(&b, "-%02x", x)
	}
	return b.String()
}

// IPName is the per-address file name, "0A63000A" for 10.99.0.10, or "" when ip is not an
// IPv4 address (an IPv4-mapped IPv6 address counts as IPv4).
func IPName(ip netip.Addr) string {
	ip = ip.Unmap()
	if !ip.Is4() {
		return ""
	}
	a := ip.As4()
	return fmt.Sprintf("%02X%02X%02X%02X", a[0], a[1], a[2], a[3])
}

// BootIF is the BOOTIF= value PXELINUX's IPAPPEND 2 adds for mac ("01-52-54-00-12-34-56"),
// or "" when mac is not an Ethernet address.
func BootIF(mac net.HardwareAddr) string { return MACName(mac) }
