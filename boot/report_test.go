package boot

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/goinit/goinit/netroot"
)

func TestReportsFitEightyColumns(t *testing.T) {
	mounts := "devtmpfs /dev devtmpfs rw,nosuid,relatime,size=221572k,nr_inodes=55393,mode=755,inode64 0 0\n" +
		"overlay /newroot overlay rw,relatime,lowerdir=/run/goinit/lower,upperdir=/run/goinit/rw/upper,workdir=/run/goinit/rw/work,index=off,xino=off 0 0\n"
	l := &netroot.Lease{Interface: "eth0", MAC: "52:54:00:12:34:56", Proto: "dhcp",
		Address: netip.MustParseAddr("10.99.0.15"), PrefixLen: 24,
		Routers: []netip.Addr{netip.MustParseAddr("10.99.0.1")}, DNS: []netip.Addr{netip.MustParseAddr("10.99.0.1")},
		ServerID: netip.MustParseAddr("10.99.0.1"), RootPath: "10.99.0.1:/export/a/very/long/path/that/goes/on/and/on/for/quite/a/while/beyond/eighty",
	}
	out := mountsReport(mounts) + networkReport(&netroot.NetState{Leases: []*netroot.Lease{l}})
	for _, line := range strings.Split(out, "\n") {
		if len(line) > reportWidth {
			t.Errorf("line is %d columns: %q", len(line), line)
		}
	}
	for _, want := range []string{"/newroot  overlay  overlay", "upperdir=/run/goinit/rw/upper", "eth0 (52:54:00:12:34:56): 10.99.0.15/24 by dhcp", "root-path: 10.99.0.1:/export"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if networkReport(nil) != "no network configured\n" {
		t.Errorf("networkReport(nil) = %q", networkReport(nil))
	}
}
