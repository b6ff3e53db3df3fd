package netroot

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// ipExpected is the accepted form of ip=, shown in every ip= error.
const ipExpected = "dhcp, off, <iface>:dhcp or " +
	"<client>:<server>:<gw>:<netmask>:<hostname>:<device>:<autoconf>:<dns0>:<dns1>:<ntp0>"

// maxHostname is the kernel's limit for a host name (__NEW_UTS_LEN).
const maxHostname = 64

// maxIfName is the longest interface name the kernel accepts (IFNAMSIZ - 1).
const maxIfName = 15

// NetPlan is the network configuration the command line asks for.
type NetPlan struct {
	// Off is set by ip=off or ip=none: configure no network at all.
	Off bool
	// Implied is set when no ip= was given; Configs then holds one DHCP entry for any link.
	Implied bool
	// Configs holds one entry per ip= (per device; for a repeated device the last one wins), in
	// command line order.
	Configs []IPConfig
	// BootIF is the MAC from BOOTIF=01-…: DHCP (or a static ip= without a device) uses only the
	// link with this address.
	BootIF net.HardwareAddr
	// Nameservers are the extra DNS servers from nameserver= (repeatable).
	Nameservers []netip.Addr
}

// IPConfig is one ip= value.
type IPConfig struct {
	// Param is the ip= value as written; empty for the implied ip=dhcp.
	Param string
	// Device names the interface; empty means any candidate link.
	Device string
	// DHCP asks for a lease; the static fields below then override what the lease says, as
	// the kernel does.
	DHCP bool
	// Client is the client address; for DHCP it is requested from the server.
	Client netip.Addr
	// Server is the boot server, the NFS server when nfsroot= names none.
	Server  netip.Addr
	Gateway netip.Addr
	// Netmask is the dotted netmask; for a static Client without one, the classful default.
	Netmask  netip.Addr
	Hostname string
	DNS      []netip.Addr
	NTP      []netip.Addr
}

// PrefixLen is the length of Netmask in bits, or -1 when there is none.
func (c IPConfig) PrefixLen() int {
	if !c.Netmask.IsValid() {
		return -1
	}
	n, _ := maskBits(c.Netmask)
	return n
}

// ParseNetwork reads ip= (repeatable, one per device), BOOTIF= and nameserver= (repeatable).
// Without any ip= the plan is DHCP on every link (Implied); whether the network is needed at all
// is NeedsNetwork's question.
func ParseNetwork(c Cmdline) (*NetPlan, error) {
	plan := &NetPlan{}
	if v, ok := c.Get("BOOTIF"); ok {
		mac, err := parseBootIF(v)
		if err != nil {
			return nil, err
		}
		plan.BootIF = mac
	}
	for _, v := range c.All("nameserver") {
		a, err := netip.ParseAddr(v)
		if err != nil || a.Zone() != "" {
			return nil, &ParamError{Param: "nameserver", Value: v,
				Reason:   fmt.Sprintf("%q is not an IP address", v),
				Expected: "an IPv4 or IPv6 address, e.g. nameserver=10.99.0.1"}
		}
		plan.Nameservers = append(plan.Nameservers, a.Unmap())
	}
	values := c.All("ip")
	if len(values) == 0 {
		plan.Implied = true
		plan.Configs = []IPConfig{{DHCP: true}}
		return plan, nil
	}
	var off string // the ip=off value when it is the last device-less entry
	for _, v := range values {
		cfg, isOff, err := parseIP(v)
		if err != nil {
			return nil, err
		}
		if isOff {
			off = v
			plan.Configs = removeDevice(plan.Configs, "")
			continue
		}
		if cfg.Device == "" {
			off = ""
		}
		plan.Configs = putConfig(plan.Configs, cfg)
	}
	if off != "" {
		if len(plan.Configs) > 0 {
			return nil, &ParamError{Param: "ip", Value: off,
				Reason:   fmt.Sprintf("conflicts with ip=%q", plan.Configs[0].Param),
				Expected: "either ip=off or ip= values that configure interfaces"}
		}
		plan.Off, plan.Configs = true, nil
	}
	return plan, nil
}

// putConfig adds cfg, replacing an earlier entry for the same device in place.
func putConfig(cs []IPConfig, cfg IPConfig) []IPConfig {
	for i := range cs {
		if cs[i].Device == cfg.Device {
			cs[i] = cfg
			return cs
		}
	}
	return append(cs, cfg)
}

func removeDevice(cs []IPConfig, dev string) []IPConfig {
	out := cs[:0]
	for _, c := range cs {
		if c.Device != dev {
			out = append(out, c)
		}
	}
	return out
}

// parseIP parses one ip= value. isOff reports ip=off / ip=none.
func parseIP(v string) (cfg IPConfig, isOff bool, err error) {
	bad := func(format string, args ...any) (IPConfig, bool, error) {
		return IPConfig{}, false, &ParamError{Param: "ip", Value: v,
			Reason: fmt.Sprintf(format, args...), Expected: ipExpected}
	}
	cfg.Param = v
	if !strings.Contains(v, ":") && !looksLikeIPv4(v) {
		switch v {
		case "off", "none":
			return IPConfig{}, true, nil
		case "dhcp", "on", "any", "bootp":
			cfg.DHCP = true
			return cfg, false, nil
		case "":
			return bad("empty value")
		}
		return bad("unknown method %q", v)
	}
	f := strings.Split(v, ":")
	if len(f) > 10 {
		return bad("%d fields, at most 10", len(f))
	}
	// dracut's <iface>:<method>
	if len(f) == 2 && f[0] != "" && !looksLikeIPv4(f[0]) {
		if err := checkIfName(f[0]); err != nil {
			return bad("device %q %s", f[0], err)
		}
		switch f[1] {
		case "dhcp", "on", "any", "bootp":
			cfg.Device, cfg.DHCP = f[0], true
			return cfg, false, nil
		}
		return bad("method %q for device %q is not one of dhcp, on, any", f[1], f[0])
	}
	f = append(f, make([]string, 10-len(f))...)
	addr := func(name, s string, dst *netip.Addr) error {
		if s == "" {
			return nil
		}
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return fmt.Errorf("%s %q is not an IPv4 address", name, s)
		}
		*dst = a
		return nil
	}
	var dns0, dns1, ntp0 netip.Addr
	for _, p := range []struct {
		name string
		s    string
		dst  *netip.Addr
	}{
		{"client", f[0], &cfg.Client}, {"server", f[1], &cfg.Server},
		{"gateway", f[2], &cfg.Gateway}, {"dns0", f[7], &dns0}, {"dns1", f[8], &dns1},
		{"ntp0", f[9], &ntp0},
	} {
		if err := addr(p.name, p.s, p.dst); err != nil {
			return bad("%v", err)
		}
	}
	if f[3] != "" {
		m, err := netip.ParseAddr(f[3])
		if err != nil || !m.Is4() {
			return bad("netmask %q is not a valid netmask", f[3])
		}
		if _, ok := maskBits(m); !ok {
			return bad("netmask %q is not a valid netmask", f[3])
		}
		cfg.Netmask = m
	}
	if len(f[4]) > maxHostname {
		return bad("hostname %q is longer than %d bytes", f[4], maxHostname)
	}
	cfg.Hostname = f[4]
	if f[5] != "" && f[5] != "all" {
		if err := checkIfName(f[5]); err != nil {
			return bad("device %q %s", f[5], err)
		}
		cfg.Device = f[5]
	}
	for _, a := range []netip.Addr{dns0, dns1} {
		if a.IsValid() {
			cfg.DNS = append(cfg.DNS, a)
		}
	}
	if ntp0.IsValid() {
		cfg.NTP = []netip.Addr{ntp0}
	}
	switch f[6] {
	case "":
		// The kernel's rule: a given client address means static, none means autoconf.
		cfg.DHCP = !cfg.Client.IsValid()
	case "dhcp", "on", "any", "bootp":
		cfg.DHCP = true
	case "off", "none", "static":
		if !cfg.Client.IsValid() {
			return bad("autoconf %q needs a client address", f[6])
		}
	default:
		return bad("autoconf %q is not one of off, none, dhcp, on, any", f[6])
	}
	if cfg.Client.IsValid() {
		if cfg.Client.IsUnspecified() || cfg.Client.IsMulticast() || cfg.Client == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
			return bad("client %q is not a usable host address", f[0])
		}
		if !cfg.Netmask.IsValid() && !cfg.DHCP {
			cfg.Netmask = classfulMask(cfg.Client)
		}
	}
	if !cfg.DHCP && cfg.Gateway.IsValid() {
		pfx := netip.PrefixFrom(cfg.Client, cfg.PrefixLen()).Masked()
		if !pfx.Contains(cfg.Gateway) {
			return bad("gateway %q is not in the client's network %s", f[2], pfx)
		}
	}
	return cfg, false, nil
}

func looksLikeIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// checkIfName returns why s cannot be an interface name, or nil.
func checkIfName(s string) error {
	if len(s) > maxIfName {
		return fmt.Errorf("is longer than %d bytes", maxIfName)
	}
	if s == "." || s == ".." || strings.ContainsAny(s, "/: \t\n") {
		return fmt.Errorf("is not a valid interface name")
	}
	return nil
}

// maskBits returns the prefix length of a contiguous IPv4 netmask.
func maskBits(m netip.Addr) (int, bool) {
	b := m.As4()
	ones, bits := net.IPMask(b[:]).Size()
	if bits == 0 {
		return 0, false
	}
	return ones, true
}

// classfulMask is the kernel's default netmask for a static address without one.
func classfulMask(a netip.Addr) netip.Addr {
	b := a.As4()[0]
	switch {
	case b < 128:
		return netip.AddrFrom4([4]byte{255, 0, 0, 0})
	case b < 192:
		return netip.AddrFrom4([4]byte{255, 255, 0, 0})
	default:
		return netip.AddrFrom4([4]byte{255, 255, 255, 0})
	}
}

// prefixMask turns a prefix length into a dotted IPv4 netmask.
func prefixMask(bits int) netip.Addr {
	m := net.CIDRMask(bits, 32)
	return netip.AddrFrom4([4]byte(m))
}
