package netroot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// WriteRunFiles hands the network to the real root, under root+"/run": for every lease
// net-<iface>.conf in klibc ipconfig's format (initramfs-tools and its users source it),
// goinit/lease-<iface>.json, and goinit/resolv.conf with the name servers and search domains.
// Files are written whole (temporary file, then rename).
func WriteRunFiles(root string, st *NetState) error {
	run := filepath.Join(root, "run")
	if err := os.MkdirAll(filepath.Join(run, "goinit"), 0o755); err != nil {
		return fmt.Errorf("write network files: %w", err)
	}
	if st == nil {
		return nil
	}
	for _, l := range st.Leases {
		if err := checkIfName(l.Interface); err != nil || l.Interface == "" {
			return fmt.Errorf("write network files: interface name %q is not usable in a file name", l.Interface)
		}
		if err := writeFile(filepath.Join(run, "net-"+l.Interface+".conf"), klibcConf(l)); err != nil {
			return err
		}
		js, err := json.MarshalIndent(l, "", "  ")
		if err != nil {
			return fmt.Errorf("write network files: encode lease of %s: %w", l.Interface, err)
		}
		if err := writeFile(filepath.Join(run, "goinit", "lease-"+l.Interface+".json"), append(js, '\n')); err != nil {
			return err
		}
	}
	return writeFile(filepath.Join(run, "goinit", "resolv.conf"), resolvConf(st))
}

// klibcConf renders a lease as klibc's ipconfig writes /run/net-<iface>.conf: every value in
// single quotes, a quote or "!" in a value closed, backslash-escaped and reopened; routes as
// IPV4ROUTE<n>SUBNET/GATEWAY instead of IPV4GATEWAY when the server sent classless routes;
// 0.0.0.0 for an absent address.
func klibcConf(l *Lease) []byte {
	var b bytes.Buffer
	opt := func(k, v string) {
		b.WriteString(k)
		b.WriteString("='")
		for _, c := range []byte(v) {
			if c == '\'' || c == '!' {
				b.WriteString(`'\`)
				b.WriteByte(c)
				b.WriteByte('\'')
				continue
			}
			b.WriteByte(c)
		}
		b.WriteString("'\n")
	}
	dns := func(i int) netip.Addr {
		if i < len(l.DNS) {
			return l.DNS[i]
		}
		return netip.Addr{}
	}
	opt("DEVICE", l.Interface)
	opt("PROTO", l.Proto)
	opt("IPV4ADDR", dotted(l.Address))
	opt("IPV4BROADCAST", dotted(l.Broadcast))
	opt("IPV4NETMASK", dotted(l.Netmask))
	if len(l.Routes) > 0 {
		for i, r := range l.Routes {
			opt(fmt.Sprintf("IPV4ROUTE%dSUBNET", i), fmt.Sprintf("%s/%d", r.Dest.Addr(), r.Dest.Bits()))
			opt(fmt.Sprintf("IPV4ROUTE%dGATEWAY", i), dotted(r.Gateway))
		}
	} else {
		var gw netip.Addr
		if len(l.Routers) > 0 {
			gw = l.Routers[0]
		}
		opt("IPV4GATEWAY", dotted(gw))
	}
	opt("IPV4DNS0", dotted(dns(0)))
	opt("IPV4DNS1", dotted(dns(1)))
	opt("HOSTNAME", l.Hostname)
	opt("DNSDOMAIN", l.Domain)
	opt("NISDOMAIN", l.NISDomain)
	opt("ROOTSERVER", dotted(l.RootServer()))
	opt("ROOTPATH", l.RootPath)
	opt("filename", l.BootFile)
	opt("UPTIME", strconv.FormatInt(l.Uptime, 10))
	opt("DHCPLEASETIME", strconv.FormatUint(uint64(l.LeaseTime), 10))
	opt("DOMAINSEARCH", strings.Join(l.Search, " "))
	return b.Bytes()
}

// dotted prints an IPv4 address, 0.0.0.0 when there is none (klibc's my_inet_ntoa(0)).
func dotted(a netip.Addr) string {
	if !a.IsValid() {
		return "0.0.0.0"
	}
	return a.String()
}

// resolvConf is /etc/resolv.conf content for the state: search line, then nameserver lines.
func resolvConf(st *NetState) []byte {
	var b bytes.Buffer
	b.WriteString("# written by goinit from the boot network configuration\n")
	if s := st.Search(); len(s) > 0 {
		fmt.Fprintf(&b, "search %s\n", strings.Join(s, " "))
	}
	for _, a := range st.DNS() {
		fmt.Fprintf(&b, "nameserver %s\n", a)
	}
	return b.Bytes()
}

func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write network files: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write network files: %w", err)
	}
	return nil
}
