package netroot

import (
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// ipTestCmdline is a parsed command line for the tests: key=value words split on spaces, a bare
// word is a flag. The last value of a key wins for Get.
type ipTestCmdline map[string][]string

func ipCmd(line string) ipTestCmdline {
	c := ipTestCmdline{}
	for _, w := range strings.Fields(line) {
		k, v, _ := strings.Cut(w, "=")
		c[k] = append(c[k], v)
	}
	return c
}

func (c ipTestCmdline) Get(k string) (string, bool) {
	v := c[k]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}
func (c ipTestCmdline) All(k string) []string { return c[k] }
func (c ipTestCmdline) Has(k string) bool     { return len(c[k]) > 0 }

func a4(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestParseNetwork(t *testing.T) {
	mask24 := a4("255.255.255.0")
	tests := []struct {
		line string
		want *NetPlan
	}{
		{"root=/dev/nfs", &NetPlan{Implied: true, Configs: []IPConfig{{DHCP: true}}}},
		{"ip=dhcp", &NetPlan{Configs: []IPConfig{{Param: "dhcp", DHCP: true}}}},
		{"ip=on", &NetPlan{Configs: []IPConfig{{Param: "on", DHCP: true}}}},
		{"ip=any", &NetPlan{Configs: []IPConfig{{Param: "any", DHCP: true}}}},
		{"ip=bootp", &NetPlan{Configs: []IPConfig{{Param: "bootp", DHCP: true}}}},
		{"ip=off", &NetPlan{Off: true}},
		{"ip=none", &NetPlan{Off: true}},
		{"ip=eth0:dhcp", &NetPlan{Configs: []IPConfig{{Param: "eth0:dhcp", Device: "eth0", DHCP: true}}}},
		{"ip=enp0s3:any", &NetPlan{Configs: []IPConfig{{Param: "enp0s3:any", Device: "enp0s3", DHCP: true}}}},
		// the kernel's full static form
		{"ip=10.99.0.15:10.99.0.1:10.99.0.254:255.255.255.0:client1:eth0:off:10.99.0.2:10.99.0.3:10.99.0.4",
			&NetPlan{Configs: []IPConfig{{
				Param:  "10.99.0.15:10.99.0.1:10.99.0.254:255.255.255.0:client1:eth0:off:10.99.0.2:10.99.0.3:10.99.0.4",
				Device: "eth0", Client: a4("10.99.0.15"), Server: a4("10.99.0.1"), Gateway: a4("10.99.0.254"),
				Netmask: mask24, Hostname: "client1",
				DNS: []netip.Addr{a4("10.99.0.2"), a4("10.99.0.3")}, NTP: []netip.Addr{a4("10.99.0.4")},
			}}}},
		// empty fields; no autoconf with a client address is static; netmask from the class
		{"ip=192.168.1.20::::::", &NetPlan{Configs: []IPConfig{{Param: "192.168.1.20::::::",
			Client: a4("192.168.1.20"), Netmask: mask24}}}},
		{"ip=10.1.2.3", &NetPlan{Configs: []IPConfig{{Param: "10.1.2.3", Client: a4("10.1.2.3"), Netmask: a4("255.0.0.0")}}}},
		{"ip=172.16.0.9:::::eth1:none", &NetPlan{Configs: []IPConfig{{Param: "172.16.0.9:::::eth1:none",
			Device: "eth1", Client: a4("172.16.0.9"), Netmask: a4("255.255.0.0")}}}},
		// no client: autoconf, with the static fields kept as overrides
		{"ip=:10.99.0.1::::eth0:dhcp", &NetPlan{Configs: []IPConfig{{Param: ":10.99.0.1::::eth0:dhcp",
			Device: "eth0", DHCP: true, Server: a4("10.99.0.1")}}}},
		{"ip=::::myhost::", &NetPlan{Configs: []IPConfig{{Param: "::::myhost::", DHCP: true, Hostname: "myhost"}}}},
		{"ip=:::::all:dhcp", &NetPlan{Configs: []IPConfig{{Param: ":::::all:dhcp", DHCP: true}}}},
		// repeated ip= for several interfaces; a repeated device keeps its place, last one wins
		{"ip=eth0:dhcp ip=10.0.0.5::10.0.0.1:255.255.255.0::eth1:off ip=eth0:any", &NetPlan{Configs: []IPConfig{
			{Param: "eth0:any", Device: "eth0", DHCP: true},
			{Param: "10.0.0.5::10.0.0.1:255.255.255.0::eth1:off", Device: "eth1", Client: a4("10.0.0.5"),
				Gateway: a4("10.0.0.1"), Netmask: mask24},
		}}},
		// the last device-less ip= wins, as in the kernel
		{"ip=dhcp ip=off", &NetPlan{Off: true}},
		{"ip=off ip=dhcp", &NetPlan{Configs: []IPConfig{{Param: "dhcp", DHCP: true}}}},
		{"ip=dhcp BOOTIF=01-52-54-00-12-34-56", &NetPlan{Configs: []IPConfig{{Param: "dhcp", DHCP: true}},
			BootIF: net.HardwareAddr{0x52, 0x54, 0, 0x12, 0x34, 0x56}}},
		{"BOOTIF=01-AA-bb-CC-dd-EE-ff", &NetPlan{Implied: true, Configs: []IPConfig{{DHCP: true}},
			BootIF: net.HardwareAddr{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}}},
		{"nameserver=10.99.0.2 nameserver=fd00::53 ip=dhcp", &NetPlan{Configs: []IPConfig{{Param: "dhcp", DHCP: true}},
			Nameservers: []netip.Addr{a4("10.99.0.2"), netip.MustParseAddr("fd00::53")}}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := ParseNetwork(ipCmd(tt.line))
			if err != nil {
				t.Fatalf("ParseNetwork: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseNetworkErrors(t *testing.T) {
	exp := ": expected dhcp, off, <iface>:dhcp or <client>:<server>:<gw>:<netmask>:<hostname>:<device>:<autoconf>:<dns0>:<dns1>:<ntp0>"
	tests := []struct{ line, want string }{
		{"ip=", `cmdline: ip="": empty value` + exp},
		{"ip=foo", `cmdline: ip="foo": unknown method "foo"` + exp},
		{"ip=rarp", `cmdline: ip="rarp": unknown method "rarp"` + exp},
		{"ip=10.0.0.2:::255.0.255.1::eth0:off", `cmdline: ip="10.0.0.2:::255.0.255.1::eth0:off": netmask "255.0.255.1" is not a valid netmask` + exp},
		{"ip=10.0.0.2:::255.255.255.0:::off::::", `cmdline: ip="10.0.0.2:::255.255.255.0:::off::::": 11 fields, at most 10` + exp},
		{"ip=10.0.0.256::::::off", `cmdline: ip="10.0.0.256::::::off": client "10.0.0.256" is not an IPv4 address` + exp},
		{"ip=10.0.0.2:x:::::off", `cmdline: ip="10.0.0.2:x:::::off": server "x" is not an IPv4 address` + exp},
		{"ip=10.0.0.2::fe80::1", `cmdline: ip="10.0.0.2::fe80::1": gateway "fe80" is not an IPv4 address` + exp},
		{"ip=10.0.0.2:::::::1.2.3", `cmdline: ip="10.0.0.2:::::::1.2.3": dns0 "1.2.3" is not an IPv4 address` + exp},
		{"ip=10.0.0.2::::::::x", `cmdline: ip="10.0.0.2::::::::x": dns1 "x" is not an IPv4 address` + exp},
		{"ip=10.0.0.2:::::::::y", `cmdline: ip="10.0.0.2:::::::::y": ntp0 "y" is not an IPv4 address` + exp},
		{"ip=10.0.0.2:::garbage::eth0:off", `cmdline: ip="10.0.0.2:::garbage::eth0:off": netmask "garbage" is not a valid netmask` + exp},
		{"ip=10.0.0.2:::::eth0:static6", `cmdline: ip="10.0.0.2:::::eth0:static6": autoconf "static6" is not one of off, none, dhcp, on, any` + exp},
		{"ip=:::::eth0:off", `cmdline: ip=":::::eth0:off": autoconf "off" needs a client address` + exp},
		{"ip=0.0.0.0::::::off", `cmdline: ip="0.0.0.0::::::off": client "0.0.0.0" is not a usable host address` + exp},
		{"ip=10.0.0.2::192.168.1.1:255.255.255.0:::off", `cmdline: ip="10.0.0.2::192.168.1.1:255.255.255.0:::off": gateway "192.168.1.1" is not in the client's network 10.0.0.0/24` + exp},
		{"ip=10.0.0.2:::::averyveryverylongname:off", `cmdline: ip="10.0.0.2:::::averyveryverylongname:off": device "averyveryverylongname" is longer than 15 bytes` + exp},
		{"ip=eth0:static", `cmdline: ip="eth0:static": method "static" for device "eth0" is not one of dhcp, on, any` + exp},
		{"ip=eth/0:dhcp", `cmdline: ip="eth/0:dhcp": device "eth/0" is not a valid interface name` + exp},
		{"ip=10.0.0.2::::" + strings.Repeat("h", 65) + "::off", `cmdline: ip="10.0.0.2::::` + strings.Repeat("h", 65) + `::off": hostname "` + strings.Repeat("h", 65) + `" is longer than 64 bytes` + exp},
		{"ip=eth0:dhcp ip=off", `cmdline: ip="off": conflicts with ip="eth0:dhcp": expected either ip=off or ip= values that configure interfaces`},
		{"BOOTIF=52-54-00-12-34-56", `cmdline: BOOTIF="52-54-00-12-34-56": 6 dash-separated fields, want 7: expected 01-<mac> with six hex pairs separated by "-", e.g. BOOTIF=01-52-54-00-12-34-56`},
		{"BOOTIF=06-52-54-00-12-34-56", `cmdline: BOOTIF="06-52-54-00-12-34-56": hardware type "06" is not Ethernet (01): expected 01-<mac> with six hex pairs separated by "-", e.g. BOOTIF=01-52-54-00-12-34-56`},
		{"BOOTIF=01-52-54-00-12-34-5g", `cmdline: BOOTIF="01-52-54-00-12-34-5g": MAC byte "5g" is not two hex digits: expected 01-<mac> with six hex pairs separated by "-", e.g. BOOTIF=01-52-54-00-12-34-56`},
		{"BOOTIF=01-52-54-00-12-34-567", `cmdline: BOOTIF="01-52-54-00-12-34-567": MAC byte "567" is not two hex digits: expected 01-<mac> with six hex pairs separated by "-", e.g. BOOTIF=01-52-54-00-12-34-56`},
		{"nameserver=dns.example", `cmdline: nameserver="dns.example": "dns.example" is not an IP address: expected an IPv4 or IPv6 address, e.g. nameserver=10.99.0.1`},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			_, err := ParseNetwork(ipCmd(tt.line))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Fatalf("error\n got %q\nwant %q", err.Error(), tt.want)
			}
		})
	}
}

func TestNeedsNetwork(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"root=/dev/vda1", false},
		{"root=/dev/vda1 ip=dhcp", true},
		{"root=/dev/nfs nfsroot=10.99.0.1:/export,ro,nolock", true},
		{"root=/dev/nfs ip=off", false},
		{"root=nfs:10.99.0.1:/export", true},
		{"root=nfs4:10.99.0.1:/export", true},
		{"root=dhcp", true},
		{"root=nbd:10.99.0.1:root", true},
		{"root=/dev/nbd0 nbdroot=10.99.0.1/root", true},
		{"root=/dev/nbd0", false},
		{"root=iscsi:10.99.0.1::::iqn.2024-01.test:root", true},
		{"root=aoe:e1.0", false},
		{"root=/dev/vda1 ip=bogus", true},
		{"root=/dev/nfs ip=dhcp ip=off", false},
	}
	for _, tt := range tests {
		if got := NeedsNetwork(ipCmd(tt.line)); got != tt.want {
			t.Errorf("NeedsNetwork(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

func TestIPConfigPrefixLen(t *testing.T) {
	if got := (IPConfig{}).PrefixLen(); got != -1 {
		t.Errorf("no netmask: PrefixLen = %d, want -1", got)
	}
	if got := (IPConfig{Netmask: a4("255.255.252.0")}).PrefixLen(); got != 22 {
		t.Errorf("PrefixLen = %d, want 22", got)
	}
}
