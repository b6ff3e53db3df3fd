package netroot

import (
	"errors"
	"net"
	"testing"
	"time"
)

func mac(last byte) net.HardwareAddr { return net.HardwareAddr{0x52, 0x54, 0, 0x12, 0x34, last} }

func TestSlotWants(t *testing.T) {
	eth0 := &linkInfo{Name: "eth0", MAC: mac(1), Kind: "device", Ether: true}
	eth1 := &linkInfo{Name: "eth1", MAC: mac(2), Kind: "device", Ether: true}
	veth := &linkInfo{Name: "cli0", MAC: mac(3), Kind: "veth", Ether: true}
	lo := &linkInfo{Name: "lo", MAC: net.HardwareAddr{0, 0, 0, 0, 0, 0}, Kind: "device", Ether: false, Loopback: true}
	br := &linkInfo{Name: "br0", MAC: mac(4), Kind: "bridge", Ether: true}
	ib := &linkInfo{Name: "ib0", MAC: make(net.HardwareAddr, 20), Kind: "device"}

	plan, err := ParseNetwork(ipCmd("ip=dhcp BOOTIF=01-52-54-00-12-34-02"))
	if err != nil {
		t.Fatal(err)
	}
	slots, claimed := slotsFor(plan)
	for l, want := range map[*linkInfo]bool{eth0: false, eth1: true, lo: false} {
		if got := slots[0].wants(l, claimed); got != want {
			t.Errorf("BOOTIF slot wants(%s) = %v", l.Name, got)
		}
	}

	plan, err = ParseNetwork(ipCmd("ip=dhcp ip=10.0.0.2:::::eth1:off"))
	if err != nil {
		t.Fatal(err)
	}
	slots, claimed = slotsFor(plan)
	for l, want := range map[*linkInfo]bool{eth0: true, eth1: false, veth: true, lo: false, br: false, ib: false} {
		if got := slots[0].wants(l, claimed); got != want {
			t.Errorf("any slot wants(%s) = %v, want %v", l.Name, got, want)
		}
	}
	if !slots[1].wants(eth1, claimed) || slots[1].wants(eth0, claimed) {
		t.Errorf("device slot takes the wrong link")
	}
}

func TestSlotFailure(t *testing.T) {
	eth0 := func() *linkInfo {
		return &linkInfo{Name: "eth0", MAC: mac(1), Kind: "device", Ether: true, AdminUp: true}
	}
	lo := &linkInfo{Name: "lo", Kind: "device", Loopback: true, AdminUp: true, Carrier: true}
	eth1Down := &linkInfo{Name: "eth1", MAC: mac(2), Kind: "device", Ether: true, UpErr: errors.New("operation not permitted")}
	dhcp := &slot{cfg: IPConfig{Param: "dhcp", DHCP: true}}
	tests := []struct {
		name    string
		s       *slot
		links   []*linkInfo
		tallies []dhcpTally
		want    string
	}{
		{"no NIC at all", dhcp, []*linkInfo{lo}, nil,
			"network: no Ethernet link appeared within 30s (is the NIC driver in the image?); links: lo"},
		{"named device missing", &slot{cfg: IPConfig{Param: "eth3:dhcp", Device: "eth3", DHCP: true}}, []*linkInfo{lo, eth0()}, nil,
			`network: link "eth3" (ip="eth3:dhcp") did not appear within 30s; links: eth0 52:54:00:12:34:01, lo`},
		{"BOOTIF missing", &slot{cfg: IPConfig{DHCP: true}, bootIF: mac(9)}, []*linkInfo{eth0()}, nil,
			"network: no link with MAC 52:54:00:12:34:09 (BOOTIF) appeared within 30s; links: eth0 52:54:00:12:34:01"},
		{"no carrier", dhcp, []*linkInfo{eth0(), eth1Down, lo}, nil,
			"network: no link had carrier within 30s: eth0 (up, no carrier), eth1 (down: set up: operation not permitted)"},
		{"no offer on one link", dhcp, []*linkInfo{func() *linkInfo { l := eth0(); l.Carrier = true; return l }()},
			[]dhcpTally{{Link: "eth0", Tries: 6}},
			"network: no DHCP offer on eth0 after 30s and 6 tries"},
		{"no offer, two links, one dark, proxies and a NAK", dhcp,
			[]*linkInfo{
				func() *linkInfo { l := eth0(); l.Carrier = true; return l }(),
				{Name: "eth1", MAC: mac(2), Kind: "device", Ether: true, AdminUp: true, Carrier: true},
				{Name: "eth2", MAC: mac(3), Kind: "device", Ether: true, AdminUp: true},
			},
			[]dhcpTally{{Link: "eth0", Tries: 6, Proxy: 2}, {Link: "eth1", Tries: 1, Err: errors.New("server 10.0.0.1 refused the offered 10.0.0.5")}},
			"network: no DHCP offer on eth0, eth1 after 30s and 7 tries (eth0: 6, eth1: 1); no carrier on eth2 (up, no carrier); ignored 2 offers without an address (proxy DHCP); eth1: server 10.0.0.1 refused the offered 10.0.0.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := slotFailure(tt.s, tt.links, map[string]bool{}, tt.tallies, 30*time.Second+300*time.Millisecond)
			if err.Error() != tt.want {
				t.Fatalf("error\n got %q\nwant %q", err, tt.want)
			}
		})
	}
}

func TestRoundDur(t *testing.T) {
	for in, want := range map[time.Duration]string{
		1234 * time.Millisecond: "1.2s", 30*time.Second + 400*time.Millisecond: "30s", 40 * time.Millisecond: "0s",
	} {
		if got := roundDur(in).String(); got != want {
			t.Errorf("roundDur(%s) = %s, want %s", in, got, want)
		}
	}
}
