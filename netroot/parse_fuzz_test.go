package netroot

import (
	"net"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// FuzzParseRoot feeds whole command lines to Parse: every root form, its alternatives and the
// network parameters. It must return an attacher or an error, never panic.
func FuzzParseRoot(f *testing.F) {
	for _, s := range []string{
		"root=/dev/vda1", "root=UUID=0a-1b", "root=/dev/nfs nfsroot=10.99.0.1:/export,ro,nolock",
		"root=nfs4:[fd00::1]:/srv:vers=4.2", "root=dhcp", "aoeroot=e7.1", "root=/dev/etherd/e65534.254p3",
		"root=nbd:10.99.0.1:root:ext4:noatime", "nbdroot=[fd00::1]:10809/x root=/dev/nbd3",
		"block2mtd.block2mtd=/dev/etherd/e7.3,65536 rootfstype=jffs2 root=/dev/mtdblock0",
		"root=nbd:a:b goinit.altroot=nbd:c:d goinit.trytime=1.5 goinit.rootorder=random",
		"root=nbd:a:b goinit.altroot=",
		"block2mtd.block2mtd=/dev/nbd0,65536 nbdroot=a/j root=/dev/mtdblock0 goinit.altroot=nbd:c:j",
		"root=dhcp goinit.nbd.deadconn=90 goinit.altroot=nbd:c:d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		a, err := Parse(ipCmd(line), Env{})
		if err == nil && a.String() == "" {
			t.Fatalf("Parse(%q) gave an attacher with no name", line)
		}
	})
}

// FuzzLeaseFromACK feeds arbitrary DHCP packets (as a server could send them) to the lease
// reader: a garbage or oversized option gives an error, never a panic.
func FuzzLeaseFromACK(f *testing.F) {
	mac := net.HardwareAddr{0x52, 0x54, 0, 0x12, 0x34, 0x56}
	ack, _ := dhcpv4.New(dhcpv4.WithMessageType(dhcpv4.MessageTypeAck),
		dhcpv4.WithYourIP(net.IPv4(10, 99, 0, 15)),
		dhcpv4.WithNetmask(net.CIDRMask(24, 32)),
		dhcpv4.WithRouter(net.IPv4(10, 99, 0, 1)),
		dhcpv4.WithOption(dhcpv4.OptRootPath("10.99.0.1:/export")))
	f.Add(ack.ToBytes())
	f.Add(make([]byte, 240))
	f.Fuzz(func(t *testing.T, pkt []byte) {
		p, err := dhcpv4.FromBytes(pkt)
		if err != nil {
			return
		}
		leaseFromACK("eth0", mac, p, time.Unix(0, 0))
	})
}
