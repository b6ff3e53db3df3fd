package netroot

import (
	"net"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/rfc1035label"
)

var testMAC = net.HardwareAddr{0x52, 0x54, 0, 0x12, 0x34, 0x56}

func ack(t *testing.T, mods ...dhcpv4.Modifier) *dhcpv4.DHCPv4 {
	t.Helper()
	p, err := dhcpv4.New(append([]dhcpv4.Modifier{dhcpv4.WithMessageType(dhcpv4.MessageTypeAck), dhcpv4.WithHwAddr(testMAC)}, mods...)...)
	if err != nil {
		t.Fatal(err)
	}
	// Through the wire format, as a real ACK arrives.
	q, err := dhcpv4.FromBytes(p.ToBytes())
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestLeaseFromACK(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	full := ack(t,
		dhcpv4.WithYourIP(net.IPv4(10, 99, 0, 15)),
		dhcpv4.WithServerIP(net.IPv4(10, 99, 0, 9)),
		dhcpv4.WithNetmask(net.CIDRMask(24, 32)),
		dhcpv4.WithOption(dhcpv4.OptRouter(net.IPv4(10, 99, 0, 1), net.IPv4(10, 99, 0, 254))),
		dhcpv4.WithOption(dhcpv4.OptDNS(net.IPv4(10, 99, 0, 2), net.IPv4(10, 99, 0, 3))),
		dhcpv4.WithOption(dhcpv4.OptDomainName("lab.example")),
		dhcpv4.WithOption(dhcpv4.OptDomainSearch(&rfc1035label.Labels{Labels: []string{"lab.example", "example"}})),
		dhcpv4.WithOption(dhcpv4.OptHostName("client15")),
		dhcpv4.WithOption(dhcpv4.OptRootPath("10.99.0.1:/export")),
		dhcpv4.WithOption(dhcpv4.OptBootFileName("pxelinux.0")),
		dhcpv4.WithOption(dhcpv4.OptGeneric(dhcpv4.OptionInterfaceMTU, []byte{0x05, 0x78})), // 1400
		dhcpv4.WithOption(dhcpv4.OptGeneric(dhcpv4.OptionNetworkInformationServiceDomain, []byte("nis"))),
		dhcpv4.WithOption(dhcpv4.OptNTPServers(net.IPv4(10, 99, 0, 4))),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(10, 99, 0, 1))),
		dhcpv4.WithLeaseTime(3600),
		dhcpv4.WithOption(dhcpv4.OptClasslessStaticRoute(
			&dhcpv4.Route{Dest: &net.IPNet{IP: net.IPv4(172, 16, 0, 0), Mask: net.CIDRMask(12, 32)}, Router: net.IPv4(10, 99, 0, 254)},
			&dhcpv4.Route{Dest: &net.IPNet{IP: net.IPv4(10, 98, 0, 0), Mask: net.CIDRMask(16, 32)}, Router: net.IPv4zero},
			&dhcpv4.Route{Dest: &net.IPNet{IP: net.IPv4zero, Mask: net.CIDRMask(0, 32)}, Router: net.IPv4(10, 99, 0, 1)},
		)),
	)
	got, err := leaseFromACK("eth0", testMAC, full, now)
	if err != nil {
		t.Fatal(err)
	}
	want := &Lease{
		Interface: "eth0", MAC: "52:54:00:12:34:56", Proto: ProtoDHCP,
		Address: a4("10.99.0.15"), PrefixLen: 24, Netmask: a4("255.255.255.0"), Broadcast: a4("10.99.0.255"),
		Routers: []netip.Addr{a4("10.99.0.1"), a4("10.99.0.254")},
		Routes: []Route{
			{Dest: netip.MustParsePrefix("172.16.0.0/12"), Gateway: a4("10.99.0.254")},
			{Dest: netip.MustParsePrefix("10.98.0.0/16")},
			{Dest: netip.MustParsePrefix("0.0.0.0/0"), Gateway: a4("10.99.0.1")},
		},
		MTU: 1400,
		DNS: []netip.Addr{a4("10.99.0.2"), a4("10.99.0.3")}, Domain: "lab.example", Search: []string{"lab.example", "example"},
		NISDomain: "nis", Hostname: "client15", NTP: []netip.Addr{a4("10.99.0.4")},
		RootPath: "10.99.0.1:/export", BootFile: "pxelinux.0",
		NextServer: a4("10.99.0.9"), ServerID: a4("10.99.0.1"), LeaseTime: 3600, Acquired: now,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	// Option 121 takes precedence over option 3 for the default route.
	if gw := got.DefaultGateway(); gw != a4("10.99.0.1") {
		t.Errorf("DefaultGateway = %s", gw)
	}

	// A bare ACK: classful netmask, computed broadcast, file field as boot file.
	bare := ack(t, dhcpv4.WithYourIP(net.IPv4(172, 20, 1, 2)))
	bare.BootFileName = "boot/file"
	got, err = leaseFromACK("eth1", testMAC, bare, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.PrefixLen != 16 || got.Netmask != a4("255.255.0.0") || got.Broadcast != a4("172.20.255.255") || got.BootFile != "boot/file" || got.NextServer.IsValid() {
		t.Errorf("bare ACK lease: %+v", got)
	}

	_, err = leaseFromACK("eth0", testMAC, ack(t), now)
	if err == nil || err.Error() != "dhcp eth0: ACK from <nil> carries no address" {
		t.Errorf("ACK without address: %v", err)
	}
}

func TestUsableOffer(t *testing.T) {
	offer := func(ip net.IP) *dhcpv4.DHCPv4 {
		return ack(t, dhcpv4.WithMessageType(dhcpv4.MessageTypeOffer), dhcpv4.WithYourIP(ip))
	}
	if !usableOffer(offer(net.IPv4(10, 0, 0, 5))) {
		t.Error("a real offer is not usable")
	}
	if usableOffer(offer(net.IPv4zero)) {
		t.Error("a proxy-DHCP offer (yiaddr 0.0.0.0) is usable")
	}
	if usableOffer(ack(t, dhcpv4.WithYourIP(net.IPv4(10, 0, 0, 5)))) {
		t.Error("an ACK counts as an offer")
	}
}

func TestDHCPWait(t *testing.T) {
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	for i, w := range want {
		if got := dhcpWait(i + 1); got != w {
			t.Errorf("dhcpWait(%d) = %s, want %s", i+1, got, w)
		}
	}
}

func TestDHCPModifiers(t *testing.T) {
	cfg := IPConfig{DHCP: true, Hostname: "me", Client: a4("10.0.0.7")}
	d, err := dhcpv4.NewDiscovery(testMAC, discoverModifiers(cfg)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []uint8{1, 3, 6, 12, 15, 17, 26, 28, 42, 119, 121} {
		if !d.IsOptionRequested(dhcpv4.GenericOptionCode(code)) {
			t.Errorf("option %d is not requested", code)
		}
	}
	if d.HostName() != "me" {
		t.Errorf("host name option = %q", d.HostName())
	}
	if !d.RequestedIPAddress().Equal(net.IPv4(10, 0, 0, 7)) {
		t.Errorf("requested address = %v", d.RequestedIPAddress())
	}
	r, err := dhcpv4.New(dhcpModifiers(cfg)...)
	if err != nil {
		t.Fatal(err)
	}
	if r.RequestedIPAddress() != nil {
		t.Errorf("REQUEST modifiers set the requested address; it must come from the offer")
	}
}
