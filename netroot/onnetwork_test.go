package netroot

import "testing"

func TestRootOnNetwork(t *testing.T) {
	for line, want := range map[string]bool{
		"root=/dev/nfs nfsroot=10.99.0.1:/export":       true,
		"root=nfs4:10.99.0.1:/export":                   true,
		"root=dhcp":                                     true,
		"root=nbd:10.99.0.1:root":                       true,
		"root=iscsi:10.99.0.1::::iqn.2025-01.test:root": true,
		"aoeroot=e7.1":                                  true,
		"root=aoe:e7.1":                                 true,
		"root=/dev/etherd/e7.1":                         true,
		"root=/dev/mtdblock0 nbdroot=10.99.0.1/jffs2 rootfstype=jffs2": true,
		"root=LABEL=root": false,
		"root=/dev/vda":   false,
		"root=/dev/mtdblock0 block2mtd.block2mtd=/dev/vdb,65536":          false,
		"root=nbd:10.99.0.1:root goinit.altroot=nbd:10.99.0.2:root":       true,
		"root=nbd:10.99.0.1:root goinit.altroot=LABEL=fallback":           false, // a local fallback needs the disk drivers
		"root=/dev/sda1 netroot=iscsi:10.99.0.1::::iqn.2025-01.test:root": true,
		"": false,
	} {
		if got := RootOnNetwork(ipCmd(line)); got != want {
			t.Errorf("RootOnNetwork(%q) = %v, want %v", line, got, want)
		}
	}
}
