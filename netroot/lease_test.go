package netroot

import (
	"net/netip"
	"reflect"
	"testing"
)

func TestStaticLease(t *testing.T) {
	plan, err := ParseNetwork(ipCmd("ip=10.99.0.15:10.99.0.1:10.99.0.254:255.255.255.0:client1:eth0:off:10.99.0.2::10.99.0.4"))
	if err != nil {
		t.Fatal(err)
	}
	got := staticLease(plan.Configs[0], "eth0", "52:54:00:12:34:56")
	want := &Lease{
		Interface: "eth0", MAC: "52:54:00:12:34:56", Proto: ProtoStatic,
		Address: a4("10.99.0.15"), PrefixLen: 24, Netmask: a4("255.255.255.0"), Broadcast: a4("10.99.0.255"),
		Routers: []netip.Addr{a4("10.99.0.254")}, DNS: []netip.Addr{a4("10.99.0.2")}, NTP: []netip.Addr{a4("10.99.0.4")},
		Hostname: "client1", NextServer: a4("10.99.0.1"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	if got.RootServer() != a4("10.99.0.1") {
		t.Errorf("RootServer = %s, want the ip= server", got.RootServer())
	}
}

func TestOverrideLease(t *testing.T) {
	l := &Lease{Address: a4("10.0.0.5"), PrefixLen: 8, Netmask: a4("255.0.0.0"), Broadcast: a4("10.255.255.255"),
		Routers: []netip.Addr{a4("10.0.0.1")}, Hostname: "fromdhcp", DNS: []netip.Addr{a4("10.0.0.2")},
		Routes: []Route{
			{Dest: netip.MustParsePrefix("192.168.0.0/16"), Gateway: a4("10.0.0.3")},
			{Dest: netip.MustParsePrefix("0.0.0.0/0"), Gateway: a4("10.0.0.1")},
		}}
	cfg := IPConfig{DHCP: true, Netmask: a4("255.255.255.0"), Gateway: a4("10.0.0.254"), Hostname: "mine",
		Server: a4("10.0.0.9"), DNS: []netip.Addr{a4("1.1.1.1")}}
	overrideLease(l, cfg)
	want := &Lease{Address: a4("10.0.0.5"), PrefixLen: 24, Netmask: a4("255.255.255.0"), Broadcast: a4("10.0.0.255"),
		Routers: []netip.Addr{a4("10.0.0.254")}, Hostname: "mine", DNS: []netip.Addr{a4("1.1.1.1")}, NextServer: a4("10.0.0.9"),
		Routes: []Route{
			{Dest: netip.MustParsePrefix("192.168.0.0/16"), Gateway: a4("10.0.0.3")},
			{Dest: netip.MustParsePrefix("0.0.0.0/0"), Gateway: a4("10.0.0.254")},
		}}
	if !reflect.DeepEqual(l, want) {
		t.Fatalf("got  %+v\nwant %+v", l, want)
	}
}

func TestLeaseGatewayAndServer(t *testing.T) {
	tests := []struct {
		name       string
		l          Lease
		gw, server netip.Addr
	}{
		{"router only", Lease{Routers: []netip.Addr{a4("10.0.0.1"), a4("10.0.0.2")}, ServerID: a4("10.0.0.9")}, a4("10.0.0.1"), a4("10.0.0.9")},
		{"121 wins over 3", Lease{Routers: []netip.Addr{a4("10.0.0.1")}, Routes: []Route{{Dest: netip.MustParsePrefix("0.0.0.0/0"), Gateway: a4("10.0.0.7")}}, NextServer: a4("10.0.0.8"), ServerID: a4("10.0.0.9")}, a4("10.0.0.7"), a4("10.0.0.8")},
		{"121 without a default", Lease{Routers: []netip.Addr{a4("10.0.0.1")}, Routes: []Route{{Dest: netip.MustParsePrefix("10.1.0.0/16"), Gateway: a4("10.0.0.7")}}}, netip.Addr{}, netip.Addr{}},
		{"next-server 0.0.0.0", Lease{NextServer: netip.IPv4Unspecified(), ServerID: a4("10.0.0.9")}, netip.Addr{}, a4("10.0.0.9")},
	}
	for _, tt := range tests {
		if got := tt.l.DefaultGateway(); got != tt.gw {
			t.Errorf("%s: DefaultGateway = %v, want %v", tt.name, got, tt.gw)
		}
		if got := tt.l.RootServer(); got != tt.server {
			t.Errorf("%s: RootServer = %v, want %v", tt.name, got, tt.server)
		}
	}
}

func TestBroadcastOf(t *testing.T) {
	tests := map[string]string{"10.0.0.5/24": "10.0.0.255", "172.16.3.4/12": "172.31.255.255", "10.0.0.5/31": "invalid IP", "10.0.0.5/0": "255.255.255.255"}
	for in, want := range tests {
		if got := broadcastOf(netip.MustParsePrefix(in)).String(); got != want {
			t.Errorf("broadcastOf(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestNetStateLists(t *testing.T) {
	var none *NetState
	if none.Primary() != nil {
		t.Error("nil state has a primary lease")
	}
	st := &NetState{
		Leases: []*Lease{
			{Interface: "eth0", DNS: []netip.Addr{a4("10.0.0.2"), netip.IPv4Unspecified()}, Domain: "a.example"},
			{Interface: "eth1", DNS: []netip.Addr{a4("10.0.0.2"), a4("10.0.0.3")}, Search: []string{"b.example", "a.example"}},
		},
		Nameservers: []netip.Addr{a4("10.0.0.3"), a4("9.9.9.9")},
	}
	if st.Primary().Interface != "eth0" {
		t.Errorf("Primary = %s", st.Primary().Interface)
	}
	if got, want := st.DNS(), []netip.Addr{a4("10.0.0.2"), a4("10.0.0.3"), a4("9.9.9.9")}; !reflect.DeepEqual(got, want) {
		t.Errorf("DNS = %v, want %v", got, want)
	}
	if got, want := st.Search(), []string{"a.example", "b.example"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Search = %v, want %v", got, want)
	}
}
