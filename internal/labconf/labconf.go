// Package labconf holds the server configurations that make demo and the end-to-end tests
// (tests/e2e) share, so both run nfs-ganesha and dnsmasq the way TESTBED.md found to work, and
// a helper to quote a server's log when it fails.
package labconf

import (
	"fmt"
	"os"
	"strings"
)

// Ganesha exports tree read-only as <addr>:/export over NFS v3 and v4.x, TCP only: fixed ports
// (2049, mountd 20048), no NLM (clients mount with nolock), no RQUOTA, no grace period, and its
// recovery state under recovery.
func Ganesha(addr, tree, recovery string) string {
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

// DHCPRange is the pool the labs' dnsmasq hands out on tap0.
const DHCPRange = "10.99.0.100,10.99.0.199,255.255.255.0,1h"

// DnsmasqDHCP is dnsmasq as a DHCP server only (port=0: no DNS) on tap0, logging every
// exchange to its stderr, with its lease and PID files in dir; more are further lines, e.g.
// "dhcp-host=52:54:00:de:00:01,name".
func DnsmasqDHCP(dir string, more ...string) string {
	lines := []string{
		"port=0",
		"interface=tap0",
		"bind-interfaces",
		"dhcp-range=" + DHCPRange,
		"dhcp-authoritative",
		"no-ping",
		"no-resolv",
		"no-hosts",
		"dhcp-leasefile=" + dir + "/dnsmasq.leases",
		"pid-file=" + dir + "/dnsmasq.pid",
		"log-dhcp",
		"log-facility=-",
	}
	return strings.Join(append(lines, more...), "\n") + "\n"
}

// Tail returns the last n lines of a file, or why it cannot be read, for failure messages.
func Tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(read %s: %v)", path, err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
