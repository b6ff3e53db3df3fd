package netroot

import (
	"net/netip"
	"time"
)

// Protocol names as klibc's ipconfig writes them in PROTO=.
const (
	ProtoDHCP   = "dhcp"
	ProtoStatic = "none"
)

// Lease is the configuration one interface got, from DHCP or from a static ip=.
type Lease struct {
	Interface string `json:"interface"`
	MAC       string `json:"mac"`
	Proto     string `json:"proto"` // ProtoDHCP or ProtoStatic

	Address   netip.Addr `json:"address"`
	PrefixLen int        `json:"prefix_len"`
	Netmask   netip.Addr `json:"netmask"`
	Broadcast netip.Addr `json:"broadcast,omitzero"`
	// Routers is option 3 (or the ip= gateway); Routes is option 121, which takes precedence.
	Routers []netip.Addr `json:"routers,omitempty"`
	Routes  []Route      `json:"routes,omitempty"`
	MTU     int          `json:"mtu,omitempty"`

	DNS       []netip.Addr `json:"dns,omitempty"`
	Domain    string       `json:"domain,omitempty"`
	Search    []string     `json:"search,omitempty"`
	NISDomain string       `json:"nis_domain,omitempty"`
	Hostname  string       `json:"hostname,omitempty"`
	NTP       []netip.Addr `json:"ntp,omitempty"`

	RootPath   string     `json:"root_path,omitempty"`     // option 17
	BootFile   string     `json:"boot_file,omitempty"`     // file field or option 67
	NextServer netip.Addr `json:"next_server,omitzero"`    // siaddr; for a static ip=, <server>
	ServerID   netip.Addr `json:"server_id,omitzero"`      // option 54
	LeaseTime  uint32     `json:"lease_seconds,omitempty"` // option 51, seconds

	// Acquired is the wall clock time of the ACK (or of applying a static ip=); Uptime is the
	// system's uptime in seconds at that moment, as klibc's UPTIME= holds it.
	Acquired time.Time `json:"acquired"`
	Uptime   int64     `json:"uptime"`
}

// Route is one classless static route (option 121). A zero Gateway means on-link.
type Route struct {
	Dest    netip.Prefix `json:"dest"`
	Gateway netip.Addr   `json:"gateway,omitzero"`
}

// Prefix is the interface address with its prefix length, e.g. 10.99.0.15/24.
func (l *Lease) Prefix() netip.Prefix { return netip.PrefixFrom(l.Address, l.PrefixLen) }

// DefaultGateway is the router a default route goes through: the 0.0.0.0/0 entry of option 121
// when there are classless routes, else the first router. It is invalid when there is none.
func (l *Lease) DefaultGateway() netip.Addr {
	if len(l.Routes) > 0 {
		for _, r := range l.Routes {
			if r.Dest.Bits() == 0 {
				return r.Gateway
			}
		}
		return netip.Addr{}
	}
	if len(l.Routers) > 0 {
		return l.Routers[0]
	}
	return netip.Addr{}
}

// RootServer is the server an NFS root without a server part uses: the next-server, then the
// DHCP server identifier.
func (l *Lease) RootServer() netip.Addr {
	if l.NextServer.IsValid() && !l.NextServer.IsUnspecified() {
		return l.NextServer
	}
	if l.ServerID.IsValid() && !l.ServerID.IsUnspecified() {
		return l.ServerID
	}
	return netip.Addr{}
}

// NetState is the network as Up left it.
type NetState struct {
	// Leases holds one entry per configured interface; the first is the primary one (the DHCP
	// race's winner or the first ip= entry), which owns the default route and the host name.
	Leases []*Lease
	// Nameservers are the extra servers from nameserver=.
	Nameservers []netip.Addr
}

// Primary is the first lease, or nil when no interface was configured.
func (s *NetState) Primary() *Lease {
	if s == nil || len(s.Leases) == 0 {
		return nil
	}
	return s.Leases[0]
}

// DNS lists the name servers of all leases, then those from nameserver=, without repeats.
func (s *NetState) DNS() []netip.Addr {
	var out []netip.Addr
	seen := map[netip.Addr]bool{}
	add := func(a netip.Addr) {
		if a.IsValid() && !a.IsUnspecified() && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, l := range s.Leases {
		for _, a := range l.DNS {
			add(a)
		}
	}
	for _, a := range s.Nameservers {
		add(a)
	}
	return out
}

// Search lists the search domains of all leases (option 119, else the domain name), without
// repeats.
func (s *NetState) Search() []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range s.Leases {
		list := l.Search
		if len(list) == 0 && l.Domain != "" {
			list = []string{l.Domain}
		}
		for _, d := range list {
			if d != "" && !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	return out
}

// staticLease is the lease a static ip= describes, for the link named iface with that MAC.
func staticLease(cfg IPConfig, iface, mac string) *Lease {
	bits := cfg.PrefixLen()
	l := &Lease{
		Interface: iface, MAC: mac, Proto: ProtoStatic,
		Address: cfg.Client, PrefixLen: bits, Netmask: cfg.Netmask,
		Broadcast:  broadcastOf(netip.PrefixFrom(cfg.Client, bits)),
		DNS:        cfg.DNS,
		NTP:        cfg.NTP,
		Hostname:   cfg.Hostname,
		NextServer: cfg.Server,
	}
	if cfg.Gateway.IsValid() {
		l.Routers = []netip.Addr{cfg.Gateway}
	}
	return l
}

// overrideLease applies the fields a DHCP ip= gave on the command line; they win over the
// server's, as in the kernel.
func overrideLease(l *Lease, cfg IPConfig) {
	if cfg.Netmask.IsValid() {
		l.Netmask, l.PrefixLen = cfg.Netmask, cfg.PrefixLen()
		l.Broadcast = broadcastOf(l.Prefix())
	}
	if cfg.Gateway.IsValid() {
		l.Routers = []netip.Addr{cfg.Gateway}
		if len(l.Routes) > 0 {
			var rs []Route
			for _, r := range l.Routes {
				if r.Dest.Bits() != 0 {
					rs = append(rs, r)
				}
			}
			l.Routes = append(rs, Route{Dest: netip.PrefixFrom(netip.IPv4Unspecified(), 0), Gateway: cfg.Gateway})
		}
	}
	if cfg.Server.IsValid() {
		l.NextServer = cfg.Server
	}
	if cfg.Hostname != "" {
		l.Hostname = cfg.Hostname
	}
	if len(cfg.DNS) > 0 {
		l.DNS = cfg.DNS
	}
	if len(cfg.NTP) > 0 {
		l.NTP = cfg.NTP
	}
}

// broadcastOf is the all-ones host address of p's network (invalid for /31 and /32).
func broadcastOf(p netip.Prefix) netip.Addr {
	if !p.Addr().Is4() || p.Bits() < 0 || p.Bits() > 30 {
		return netip.Addr{}
	}
	a := p.Masked().Addr().As4()
	host := ^uint32(0) >> p.Bits()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
