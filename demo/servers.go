package main

import (
	"fmt"
	"strings"
)

// guestMAC is the demo client's NIC; dnsmasq names it guestName.
const (
	guestMAC  = "52:54:00:de:00:01"
	guestName = "diskless-demo"
)

// dnsmasqConfig is dnsmasq as a DHCP server only (port=0: no DNS) on tap0, logging every
// exchange to its stderr, with its state files in dir.
func dnsmasqConfig(dir string) string {
	return strings.Join([]string{
		"port=0",
		"interface=tap0",
		"bind-interfaces",
		"dhcp-range=10.99.0.100,10.99.0.199,255.255.255.0,1h",
		"dhcp-host=" + guestMAC + "," + guestName,
		"dhcp-authoritative",
		"no-ping",
		"no-resolv",
		"no-hosts",
		"dhcp-leasefile=" + dir + "/dnsmasq.leases",
		"pid-file=" + dir + "/dnsmasq.pid",
		"log-dhcp",
		"log-facility=-",
	}, "\n") + "\n"
}

// ganeshaConfig exports tree read-only as <addr>:/export over NFS v3 and v4.x (TCP), with the
// settings TESTBED.md found to work: fixed ports, no NLM (clients use nolock), no grace period.
func ganeshaConfig(addr, tree, recovery string) string {
	return fmt.Sprintf(`NFS_CORE_PARAM {
	Bind_addr = %s;
	NFS_Port = 2049;
	MNT_Port = 20048;
	Enable_NLM = false;
	Enable_RQUOTA = false;
	Enable_UDP = false;
	Protocols = 3, 4;
	mount_path_pseudo = true;
	Plugins_Dir = "/usr/lib/x86_64-linux-gnu/ganesha";
}
NFSV4 {
	Graceless = true;
	RecoveryBackend = fs;
	RecoveryRoot = %q;
	Minor_Versions = 0, 1, 2;
}
EXPORT {
	Export_Id = 1;
	Path = %q;
	Pseudo = "/export";
	Protocols = 3, 4;
	Transports = TCP;
	Access_Type = RO;
	Squash = No_Root_Squash;
	SecType = sys;
	FSAL {
		Name = VFS;
	}
}
`, addr, recovery, tree)
}
