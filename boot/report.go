package boot

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/goinit/goinit/netroot"
)

// reportWidth is the console width every report line fits in.
const reportWidth = 80

// wrap breaks text at spaces or commas so no line is wider than width; continuation lines get
// indent.
func wrap(text string, width int, indent string) []string {
	var out []string
	for len(text) > width {
		cut := strings.LastIndexAny(text[:width], " ,")
		if cut < width/2 {
			cut = width - 1 // no good break: cut the long word
		}
		out = append(out, text[:cut+1])
		text = indent + strings.TrimLeft(text[cut+1:], " ")
	}
	return append(out, text)
}

// mountsReport renders /proc/mounts lines as "target  type  source" with the options wrapped
// below, within reportWidth.
func mountsReport(procMounts string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(procMounts), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		for _, l := range wrap(fmt.Sprintf("%s  %s  %s", f[1], f[2], f[0]), reportWidth, "    ") {
			b.WriteString(l + "\n")
		}
		for _, l := range wrap("    "+f[3], reportWidth, "    ") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// networkReport renders the leases: link, address, router, DNS and where the root comes from.
func networkReport(st *netroot.NetState) string {
	if st == nil || len(st.Leases) == 0 {
		return "no network configured\n"
	}
	addrs := func(as []netip.Addr) string {
		var s []string
		for _, a := range as {
			s = append(s, a.String())
		}
		if len(s) == 0 {
			return "-"
		}
		return strings.Join(s, " ")
	}
	var b strings.Builder
	for _, l := range st.Leases {
		lines := []string{
			fmt.Sprintf("%s (%s): %s/%d by %s", l.Interface, l.MAC, l.Address, l.PrefixLen, l.Proto),
			"    router: " + addrs(l.Routers) + "  dns: " + addrs(l.DNS),
		}
		if l.ServerID.IsValid() {
			lines = append(lines, fmt.Sprintf("    dhcp server: %v", l.ServerID))
		}
		if l.NextServer.IsValid() {
			lines = append(lines, fmt.Sprintf("    next-server: %v", l.NextServer))
		}
		if l.RootPath != "" {
			lines = append(lines, "    root-path: "+l.RootPath)
		}
		if l.Hostname != "" {
			lines = append(lines, "    hostname: "+l.Hostname)
		}
		for _, line := range lines {
			for _, w := range wrap(line, reportWidth, "      ") {
				b.WriteString(w + "\n")
			}
		}
	}
	return b.String()
}
