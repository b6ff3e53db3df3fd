package pxelinux

import (
	"net"
	"net/netip"
	"reflect"
	"testing"
)

func TestConfigNames(t *testing.T) {
	mac := net.HardwareAddr{0x52, 0x54, 0x00, 0xAB, 0xcd, 0x0e}
	tests := []struct {
		name string
		mac  net.HardwareAddr
		ip   netip.Addr
		want []string
	}{
		{"mac and ip", mac, netip.MustParseAddr("192.168.1.10"), []string{
			"01-52-54-00-ab-cd-0e",
			"C0A8010A", "C0A8010", "C0A801", "C0A80", "C0A8", "C0A", "C0", "C",
			"default"}},
		{"pxelinux doc example", net.HardwareAddr{0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd}, netip.MustParseAddr("192.168.2.91"), []string{
			"01-88-99-aa-bb-cc-dd",
			"C0A8025B", "C0A8025", "C0A802", "C0A80", "C0A8", "C0A", "C0", "C",
			"default"}},
		{"lab address", nil, netip.MustParseAddr("10.99.0.10"), []string{
			"0A63000A", "0A63000", "0A6300", "0A630", "0A63", "0A6", "0A", "0", "default"}},
		{"mapped ipv4", nil, netip.MustParseAddr("::ffff:10.0.0.1"), []string{
			"0A000001", "0A00000", "0A0000", "0A000", "0A00", "0A0", "0A", "0", "default"}},
		{"mac only", mac, netip.Addr{}, []string{"01-52-54-00-ab-cd-0e", "default"}},
		{"ipv6 left out", mac, netip.MustParseAddr("fd99::1"), []string{"01-52-54-00-ab-cd-0e", "default"}},
		{"infiniband mac left out", make(net.HardwareAddr, 20), netip.Addr{}, []string{"default"}},
		{"nothing", nil, netip.Addr{}, []string{"default"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ConfigNames(tt.mac, tt.ip); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ConfigNames(%v, %v) = %q, want %q", tt.mac, tt.ip, got, tt.want)
			}
		})
	}
}

func TestBootIF(t *testing.T) {
	mac, _ := net.ParseMAC("52:54:00:12:34:56")
	if got, want := BootIF(mac), "01-52-54-00-12-34-56"; got != want {
		t.Errorf("BootIF(%v) = %q, want %q", mac, got, want)
	}
}
