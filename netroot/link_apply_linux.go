package netroot

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// sethostname is the host name call; a variable so the namespace test can keep its UTS
// namespace apart.
var sethostname = func(name string) error { return unix.Sethostname([]byte(name)) }

// applyLease configures the lease's link: MTU, address with broadcast, routes, and for the
// primary lease the default route and the host name. The address is permanent: goinit does not
// renew leases, the real root's network manager takes over.
func applyLease(l *Lease, primary bool, logf func(string, ...any)) error {
	link, err := netlink.LinkByName(l.Interface)
	if err != nil {
		return fmt.Errorf("network: configure %s: %w", l.Interface, err)
	}
	if l.MTU > 0 && l.MTU != link.Attrs().MTU {
		if err := netlink.LinkSetMTU(link, l.MTU); err != nil {
			logf("network: set MTU %d on %s: %v (going on)", l.MTU, l.Interface, err)
		}
	}
	addr := &netlink.Addr{IPNet: ipNet(l.Prefix())}
	if l.Broadcast.IsValid() {
		addr.Broadcast = net.IP(l.Broadcast.AsSlice())
	}
	if err := netlink.AddrReplace(link, addr); err != nil {
		return fmt.Errorf("network: add address %s to %s: %w", l.Prefix(), l.Interface, err)
	}
	proto := netlink.RouteProtocol(unix.RTPROT_DHCP)
	if l.Proto == ProtoStatic {
		proto = unix.RTPROT_STATIC
	}
	if len(l.Routes) > 0 {
		for _, r := range l.Routes {
			if r.Dest.Bits() == 0 && !primary {
				logf("network: %s: default route via %s left out: the primary link owns the default route", l.Interface, r.Gateway)
				continue
			}
			if err := addRoute(link, l, r.Dest, r.Gateway, proto); err != nil {
				return err
			}
		}
	} else if gw := l.DefaultGateway(); gw.IsValid() {
		if primary {
			if err := addRoute(link, l, netip.PrefixFrom(netip.IPv4Unspecified(), 0), gw, proto); err != nil {
				return err
			}
		} else {
			logf("network: %s: default route via %s left out: the primary link owns the default route", l.Interface, gw)
		}
	}
	if primary && l.Hostname != "" {
		if err := sethostname(l.Hostname); err != nil {
			logf("network: set host name %q: %v (going on)", l.Hostname, err)
		}
	}
	return nil
}

// addRoute adds dst via gw (on-link when gw is invalid). A gateway outside the link's prefix
// (a /32 lease, say) first gets an on-link host route, as RFC 3442 clients do.
func addRoute(link netlink.Link, l *Lease, dst netip.Prefix, gw netip.Addr, proto netlink.RouteProtocol) error {
	idx := link.Attrs().Index
	if gw.IsValid() && !l.Prefix().Masked().Contains(gw) {
		host := &netlink.Route{LinkIndex: idx, Dst: ipNet(netip.PrefixFrom(gw, 32)), Scope: netlink.SCOPE_LINK, Protocol: proto}
		if err := netlink.RouteReplace(host); err != nil {
			return fmt.Errorf("network: add route %s dev %s: %w", gw, l.Interface, err)
		}
	}
	r := &netlink.Route{LinkIndex: idx, Dst: ipNet(dst.Masked()), Protocol: proto}
	if gw.IsValid() {
		r.Gw = net.IP(gw.AsSlice())
	} else {
		r.Scope = netlink.SCOPE_LINK
	}
	if err := netlink.RouteReplace(r); err != nil {
		via := "dev " + l.Interface
		if gw.IsValid() {
			via = "via " + gw.String()
		}
		return fmt.Errorf("network: add route %s %s: %w", dst, via, err)
	}
	return nil
}

func ipNet(p netip.Prefix) *net.IPNet {
	bits := 32
	if p.Addr().Is6() {
		bits = 128
	}
	return &net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), bits)}
}
