package netroot

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// dhcpRequested are the options goinit asks for: subnet mask, router, DNS, host name, domain,
// root path, MTU, broadcast, NTP, domain search and classless static routes. Some servers
// (dnsmasq) send root-path and the like only when asked.
var dhcpRequested = []dhcpv4.OptionCode{
	dhcpv4.OptionSubnetMask,
	dhcpv4.OptionRouter,
	dhcpv4.OptionDomainNameServer,
	dhcpv4.OptionHostName,
	dhcpv4.OptionDomainName,
	dhcpv4.OptionRootPath,
	dhcpv4.OptionInterfaceMTU,
	dhcpv4.OptionBroadcastAddress,
	dhcpv4.OptionNTPServers,
	dhcpv4.OptionDNSDomainSearchList,
	dhcpv4.OptionClasslessStaticRoute,
}

// Back-off of the DHCP exchange: the first try waits dhcpFirstWait for an answer, each
// further try twice as long, at most dhcpMaxWait, all within the caller's deadline.
const (
	dhcpFirstWait = time.Second
	dhcpMaxWait   = 8 * time.Second
)

// dhcpWait is how long try number n (from 1) waits for an answer.
func dhcpWait(n int) time.Duration {
	w := dhcpFirstWait
	for i := 1; i < n && w < dhcpMaxWait; i++ {
		w *= 2
	}
	return min(w, dhcpMaxWait)
}

// dhcpModifiers are the additions to DISCOVER and REQUEST for one ip= entry: the requested
// options, and the host name and address the command line named.
func dhcpModifiers(cfg IPConfig) []dhcpv4.Modifier {
	mods := []dhcpv4.Modifier{dhcpv4.WithRequestedOptions(dhcpRequested...)}
	if cfg.Hostname != "" {
		mods = append(mods, dhcpv4.WithOption(dhcpv4.OptHostName(cfg.Hostname)))
	}
	return mods
}

// discoverModifiers are dhcpModifiers plus, for an ip= that names a client address, that
// address as the requested one (option 50).
func discoverModifiers(cfg IPConfig) []dhcpv4.Modifier {
	mods := dhcpModifiers(cfg)
	if cfg.Client.IsValid() {
		mods = append(mods, dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(net.IP(cfg.Client.AsSlice()))))
	}
	return mods
}

// usableOffer tells a real offer from a proxy-DHCP one (PXE boot servers answer with yiaddr
// 0.0.0.0 and no address to use).
func usableOffer(p *dhcpv4.DHCPv4) bool {
	if p.MessageType() != dhcpv4.MessageTypeOffer {
		return false
	}
	a, ok := netip.AddrFromSlice(p.YourIPAddr.To4())
	return ok && !a.IsUnspecified() && !a.IsMulticast() && a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// leaseFromACK turns a DHCPACK into a Lease for the link iface with that MAC.
func leaseFromACK(iface string, mac net.HardwareAddr, ack *dhcpv4.DHCPv4, now time.Time) (*Lease, error) {
	addr, ok := ip4(ack.YourIPAddr)
	if !ok || addr.IsUnspecified() {
		return nil, fmt.Errorf("dhcp %s: ACK from %s carries no address", iface, ack.ServerIdentifier())
	}
	l := &Lease{
		Interface: iface, MAC: mac.String(), Proto: ProtoDHCP,
		Address: addr, Acquired: now,
	}
	l.PrefixLen = classfulMaskBits(addr)
	if m := ack.SubnetMask(); len(m) == 4 {
		if ones, bits := m.Size(); bits == 32 {
			l.PrefixLen = ones
		}
	}
	l.Netmask = prefixMask(l.PrefixLen)
	if b, ok := ip4(ack.BroadcastAddress()); ok {
		l.Broadcast = b
	} else {
		l.Broadcast = broadcastOf(l.Prefix())
	}
	l.Routers = ip4s(ack.Router())
	for _, r := range ack.ClasslessStaticRoute() {
		if r == nil || r.Dest == nil {
			continue
		}
		dst, ok := ip4(r.Dest.IP)
		ones, bits := r.Dest.Mask.Size()
		if !ok || bits != 32 {
			continue
		}
		rt := Route{Dest: netip.PrefixFrom(dst, ones).Masked()}
		if gw, ok := ip4(r.Router); ok && !gw.IsUnspecified() {
			rt.Gateway = gw
		}
		l.Routes = append(l.Routes, rt)
	}
	if v := ack.Options.Get(dhcpv4.OptionInterfaceMTU); len(v) == 2 {
		if mtu := int(binary.BigEndian.Uint16(v)); mtu >= 68 {
			l.MTU = mtu
		}
	}
	l.DNS = ip4s(ack.DNS())
	l.Domain = ack.DomainName()
	if s := ack.DomainSearch(); s != nil {
		l.Search = append([]string(nil), s.Labels...)
	}
	l.NISDomain = string(ack.Options.Get(dhcpv4.OptionNetworkInformationServiceDomain))
	l.Hostname = ack.HostName()
	l.NTP = ip4s(ack.NTPServers())
	l.RootPath = ack.RootPath()
	l.BootFile = ack.BootFileNameOption()
	if l.BootFile == "" {
		l.BootFile = ack.BootFileName
	}
	if a, ok := ip4(ack.ServerIPAddr); ok && !a.IsUnspecified() {
		l.NextServer = a
	}
	if a, ok := ip4(ack.ServerIdentifier()); ok {
		l.ServerID = a
	}
	if d := ack.IPAddressLeaseTime(0); d > 0 {
		l.LeaseTime = uint32(min(d/time.Second, 0xffffffff))
	}
	return l, nil
}

func ip4(ip net.IP) (netip.Addr, bool) {
	v4 := ip.To4()
	if v4 == nil {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte(v4)), true
}

func ip4s(ips []net.IP) []netip.Addr {
	var out []netip.Addr
	for _, ip := range ips {
		if a, ok := ip4(ip); ok && !a.IsUnspecified() {
			out = append(out, a)
		}
	}
	return out
}

func classfulMaskBits(a netip.Addr) int {
	n, _ := maskBits(classfulMask(a))
	return n
}
