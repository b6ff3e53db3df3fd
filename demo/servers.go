package main

import "github.com/goinit/goinit/internal/labconf"

// guestMAC is the demo client's NIC; dnsmasq names it guestName.
const (
	guestMAC  = "52:54:00:de:00:01"
	guestName = "diskless-demo"
)

// dnsmasqConfig is the labs' DHCP-only dnsmasq (labconf.DnsmasqDHCP) with its state files in
// dir, naming the demo client guestName.
func dnsmasqConfig(dir string) string {
	return labconf.DnsmasqDHCP(dir, "dhcp-host="+guestMAC+","+guestName)
}
