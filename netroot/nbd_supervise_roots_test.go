package netroot

import (
	"reflect"
	"testing"
	"time"
)

// The NBD roots that are not root=nbd:… or nbdroot= themselves: a DHCP root-path and the device
// under block2mtd. Each must get the supervisor with the command line's reconnect settings and
// its alternatives, like the plain NBD root (TestNBDSupervision).

// dhcpEnv is an Env whose primary lease carries root-path rp.
func dhcpEnv(rp string) Env {
	st := &NetState{Leases: []*Lease{{Interface: "eth0", Proto: ProtoDHCP, RootPath: rp}}}
	return Env{Network: func() *NetState { return st }}
}

// resolveDHCP does what dhcpRoot.Attach does before dialing: read the root-path.
func resolveDHCP(t *testing.T, a Attacher) *dhcpRoot {
	t.Helper()
	d, ok := a.(*dhcpRoot)
	if !ok {
		t.Fatalf("root is %T, want *dhcpRoot", a)
	}
	inner, err := d.resolve()
	if err != nil {
		t.Fatalf("resolve %s: %v", d, err)
	}
	d.inner = inner
	return d
}

func TestNBDSupervisionDHCPRoot(t *testing.T) {
	a, err := Parse(nbdNewTestCmdline("root=dhcp goinit.nbd.deadconn=90"), dhcpEnv("nbd:10.99.0.1:squash"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := NBDSupervision(a); ok {
		t.Error("root=dhcp is supervised before DHCP named its root")
	}
	d := resolveDHCP(t, a)
	s, ok := NBDSupervision(d)
	want := NBDSupervisor{Index: 0, Export: "squash", Servers: []string{"10.99.0.1:10809"}, Timeout: NBDDefaultTimeout}
	if !ok || !reflect.DeepEqual(s, want) {
		t.Errorf("NBDSupervision(root=dhcp, root-path nbd:…) = %+v %v, want %+v", s, ok, want)
	}
	r := d.inner.(*nbdAttacher).root
	if r.DeadConnTimeout != 90*time.Second || r.Timeout != NBDDefaultTimeout {
		t.Errorf("root-path NBD root: deadconn %s timeout %s, want 1m30s and %s", r.DeadConnTimeout, r.Timeout, NBDDefaultTimeout)
	}

	nfsRoot := resolveDHCP(t, mustParse(t, "root=dhcp", dhcpEnv("10.99.0.1:/export")))
	if _, ok := NBDSupervision(nfsRoot); ok {
		t.Error("root=dhcp with an NFS root-path is supervised")
	}

	if _, err := Parse(nbdNewTestCmdline("root=dhcp goinit.nbd.timeout=x"), Env{}); err == nil {
		t.Error("root=dhcp goinit.nbd.timeout=x was accepted before DHCP")
	}
}

func TestNBDSupervisionDHCPRootAlternatives(t *testing.T) {
	line := "root=dhcp goinit.altroot=nbd:10.99.0.2:squash goinit.altroot=nbd:10.99.0.3:other"
	m, ok := mustParse(t, line, dhcpEnv("nbd:10.99.0.1:squash")).(*multi)
	if !ok {
		t.Fatalf("Parse(%q) is not a list of alternatives", line)
	}
	m.won = resolveDHCP(t, m.list[0])
	s, ok := NBDSupervision(m)
	want := NBDSupervisor{Index: 0, Export: "squash", Servers: []string{"10.99.0.1:10809", "10.99.0.2:10809"}, Timeout: NBDDefaultTimeout}
	if !ok || !reflect.DeepEqual(s, want) {
		t.Errorf("DHCP root won: %+v %v, want %+v", s, ok, want)
	}
	m.won = m.list[1]
	s, ok = NBDSupervision(m)
	want.Servers = []string{"10.99.0.2:10809", "10.99.0.1:10809"}
	if !ok || !reflect.DeepEqual(s, want) {
		t.Errorf("alternative won: %+v %v, want %+v", s, ok, want)
	}
}

func TestNBDSupervisionBlock2MTD(t *testing.T) {
	const base = "block2mtd.block2mtd=/dev/nbd2,65536 nbdroot=10.99.0.1/jffs2 rootfstype=jffs2 root=/dev/mtdblock0"
	a := mustParse(t, base+" goinit.nbd.timeout=5", Env{})
	s, ok := NBDSupervision(a)
	want := NBDSupervisor{Index: 2, Export: "jffs2", Servers: []string{"10.99.0.1:10809"}, Timeout: 5 * time.Second}
	if !ok || !reflect.DeepEqual(s, want) {
		t.Errorf("NBDSupervision(block2mtd over NBD) = %+v %v, want %+v", s, ok, want)
	}
	r := a.(*block2mtd).under.(*nbdAttacher).root
	if r.Timeout != 5*time.Second || r.DeadConnTimeout != NBDDefaultDeadConn {
		t.Errorf("NBD device under the MTD: timeout %s deadconn %s, want 5s and %s", r.Timeout, r.DeadConnTimeout, NBDDefaultDeadConn)
	}
	if _, ok := NBDSupervision(mustParse(t, "block2mtd.block2mtd=/dev/etherd/e7.1,65536 rootfstype=jffs2 root=/dev/mtdblock0", Env{})); ok {
		t.Error("block2mtd over AoE is supervised")
	}
	if _, err := Parse(nbdNewTestCmdline(base+" goinit.nbd.deadconn=-1"), Env{}); err == nil {
		t.Error("block2mtd over NBD with goinit.nbd.deadconn=-1 was accepted")
	}
}

// TestBlock2MTDNBDAlternatives: with block2mtd over NBD, goinit.altroot=nbd:… names another
// server of the device under the MTD; the mtdblock device stays the one root= names.
func TestBlock2MTDNBDAlternatives(t *testing.T) {
	const base = "block2mtd.block2mtd=/dev/nbd1,65536 nbdroot=10.99.0.1/jffs2 rootfstype=jffs2 root=/dev/mtdblock0"
	m, ok := mustParse(t, base+" goinit.altroot=nbd:10.99.0.2:jffs2 goinit.altroot=nbd:10.99.0.3:other", Env{}).(*multi)
	if !ok {
		t.Fatal("block2mtd with goinit.altroot= is not a list of alternatives")
	}
	wantNames := []string{
		`block /dev/mtdblock0 (mtd over nbd 10.99.0.1:10809 export "jffs2")`,
		`block /dev/mtdblock0 (mtd over nbd 10.99.0.2:10809 export "jffs2")`,
		`block /dev/mtdblock0 (mtd over nbd 10.99.0.3:10809 export "other")`,
	}
	for i, a := range m.list {
		if i >= len(wantNames) || a.String() != wantNames[i] {
			t.Errorf("alternative %d = %s, want %s", i, a, wantNames[min(i, len(wantNames)-1)])
			continue
		}
		if n := a.(*block2mtd).under.(*nbdAttacher).root; n.Device != 1 || n.DeadConnTimeout != NBDDefaultDeadConn {
			t.Errorf("alternative %d: device %d deadconn %s, want 1 and %s", i, n.Device, n.DeadConnTimeout, NBDDefaultDeadConn)
		}
	}
	m.won = m.list[1]
	s, ok := NBDSupervision(m)
	want := NBDSupervisor{Index: 1, Export: "jffs2", Servers: []string{"10.99.0.2:10809", "10.99.0.1:10809"}, Timeout: NBDDefaultTimeout}
	if !ok || !reflect.DeepEqual(s, want) {
		t.Errorf("NBDSupervision = %+v %v, want %+v", s, ok, want)
	}

	for _, tt := range []struct{ alt, err string }{
		{"nbd:10.99.0.2", `cmdline: goinit.altroot="nbd:10.99.0.2": cmdline: root="nbd:10.99.0.2": missing port or export name; expected nbd:<server>:<port-or-exportname>[:<fstype>[:<mountopts>]]`},
		{"/dev/sda1", ""}, // another mtdblock root over the same server: as before, no special meaning
	} {
		_, err := Parse(nbdNewTestCmdline(base+" goinit.altroot="+tt.alt), Env{})
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.err {
			t.Errorf("goinit.altroot=%s: error %q, want %q", tt.alt, got, tt.err)
		}
	}
}

func mustParse(t *testing.T, line string, env Env) Attacher {
	t.Helper()
	a, err := Parse(nbdNewTestCmdline(line), env)
	if err != nil {
		t.Fatalf("Parse(%q): %v", line, err)
	}
	return a
}
