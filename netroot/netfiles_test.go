package netroot

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func goldenLease() *Lease {
	return &Lease{
		Interface: "eth0", MAC: "52:54:00:12:34:56", Proto: ProtoDHCP,
		Address: a4("10.99.0.15"), PrefixLen: 24, Netmask: a4("255.255.255.0"), Broadcast: a4("10.99.0.255"),
		Routers: []netip.Addr{a4("10.99.0.1")},
		DNS:     []netip.Addr{a4("10.99.0.2"), a4("10.99.0.3"), a4("10.99.0.4")},
		Domain:  "lab.example", Search: []string{"lab.example", "example"},
		Hostname: "it's-host!", RootPath: "10.99.0.1:/export", BootFile: "pxelinux.0",
		NextServer: a4("10.99.0.1"), ServerID: a4("10.99.0.1"), LeaseTime: 3600,
		Acquired: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Uptime: 7,
	}
}

// The klibc ipconfig format, as initramfs-tools' scripts source it.
const goldenConf = `DEVICE='eth0'
PROTO='dhcp'
IPV4ADDR='10.99.0.15'
IPV4BROADCAST='10.99.0.255'
IPV4NETMASK='255.255.255.0'
IPV4GATEWAY='10.99.0.1'
IPV4DNS0='10.99.0.2'
IPV4DNS1='10.99.0.3'
HOSTNAME='it'\''s-host'\!''
DNSDOMAIN='lab.example'
NISDOMAIN=''
ROOTSERVER='10.99.0.1'
ROOTPATH='10.99.0.1:/export'
filename='pxelinux.0'
UPTIME='7'
DHCPLEASETIME='3600'
DOMAINSEARCH='lab.example example'
`

const goldenStaticRoutesConf = `DEVICE='enp1s0'
PROTO='none'
IPV4ADDR='192.168.7.9'
IPV4BROADCAST='0.0.0.0'
IPV4NETMASK='255.255.255.255'
IPV4ROUTE0SUBNET='10.0.0.0/8'
IPV4ROUTE0GATEWAY='192.168.7.1'
IPV4ROUTE1SUBNET='0.0.0.0/0'
IPV4ROUTE1GATEWAY='192.168.7.254'
IPV4DNS0='10.99.0.3'
IPV4DNS1='192.168.7.53'
HOSTNAME=''
DNSDOMAIN='other.example'
NISDOMAIN=''
ROOTSERVER='0.0.0.0'
ROOTPATH=''
filename=''
UPTIME='0'
DHCPLEASETIME='0'
DOMAINSEARCH=''
`

func TestWriteRunFiles(t *testing.T) {
	root := t.TempDir()
	second := &Lease{Interface: "enp1s0", Proto: ProtoStatic, Address: a4("192.168.7.9"), PrefixLen: 32,
		Netmask: a4("255.255.255.255"),
		Routes: []Route{
			{Dest: netip.MustParsePrefix("10.0.0.0/8"), Gateway: a4("192.168.7.1")},
			{Dest: netip.MustParsePrefix("0.0.0.0/0"), Gateway: a4("192.168.7.254")},
		},
		DNS: []netip.Addr{a4("10.99.0.3"), a4("192.168.7.53")}, Domain: "other.example"}
	st := &NetState{Leases: []*Lease{goldenLease(), second}, Nameservers: []netip.Addr{a4("10.99.0.2"), netip.MustParseAddr("fd00::53")}}
	if err := WriteRunFiles(root, st); err != nil {
		t.Fatal(err)
	}
	read := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := read("run/net-eth0.conf"); got != goldenConf {
		t.Errorf("net-eth0.conf:\n%s\nwant:\n%s", got, goldenConf)
	}
	if got := read("run/net-enp1s0.conf"); got != goldenStaticRoutesConf {
		t.Errorf("net-enp1s0.conf:\n%s\nwant:\n%s", got, goldenStaticRoutesConf)
	}
	wantResolv := "# written by goinit from the boot network configuration\n" +
		"search lab.example example other.example\n" +
		"nameserver 10.99.0.2\nnameserver 10.99.0.3\nnameserver 10.99.0.4\nnameserver 192.168.7.53\nnameserver fd00::53\n"
	if got := read("run/goinit/resolv.conf"); got != wantResolv {
		t.Errorf("resolv.conf:\n%s\nwant:\n%s", got, wantResolv)
	}
	var back Lease
	js := read("run/goinit/lease-eth0.json")
	if err := json.Unmarshal([]byte(js), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, goldenLease()) {
		t.Errorf("lease JSON round trip:\n got %+v\nwant %+v", back, goldenLease())
	}
	for _, key := range []string{`"address": "10.99.0.15"`, `"root_path": "10.99.0.1:/export"`, `"next_server": "10.99.0.1"`, `"lease_seconds": 3600`} {
		if !strings.Contains(js, key) {
			t.Errorf("lease JSON lacks %s:\n%s", key, js)
		}
	}
	if strings.Contains(read("run/goinit/lease-enp1s0.json"), "next_server") {
		t.Errorf("an absent next-server is written")
	}
	if m, _ := filepath.Glob(filepath.Join(root, "run", "*.tmp")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

func TestWriteRunFilesBadName(t *testing.T) {
	st := &NetState{Leases: []*Lease{{Interface: "../etc"}}}
	err := WriteRunFiles(t.TempDir(), st)
	want := `write network files: interface name "../etc" is not usable in a file name`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
}

func TestWriteRunFilesEmpty(t *testing.T) {
	root := t.TempDir()
	if err := WriteRunFiles(root, &NetState{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "run/goinit/resolv.conf"))
	if err != nil || string(b) != "# written by goinit from the boot network configuration\n" {
		t.Fatalf("resolv.conf = %q, %v", b, err)
	}
}
