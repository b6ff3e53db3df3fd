//go:build nettest

package netroot

// The DHCP end-to-end test: a server namespace (h5srv) running dnsmasq on a veth pair towards a
// client namespace (h5cli), where this same test binary runs Up() once per scenario in its own
// UTS namespace (so sethostname stays inside). Run as root:
//
//	go test -tags nettest -c -o /tmp/netroot.test ./netroot/
//	GOINIT_NETTEST=1 /tmp/netroot.test -test.run '^TestDHCPNamespace$' -test.v
//
// The namespaces and dnsmasq (by its PID) are removed at the end, also on failure.

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

const (
	nsSrv = "h5srv"
	nsCli = "h5cli"
)

// The client links: cli0 faces dnsmasq, cli1 has carrier but no server, cli2 no carrier.
var nsMACs = map[string]string{"cli0": "52:54:00:99:05:10", "cli1": "52:54:00:99:05:11", "cli2": "52:54:00:99:05:12"}

func TestDHCPNamespace(t *testing.T) {
	if sc := os.Getenv("GOINIT_NETTEST_SCENARIO"); sc != "" {
		runClientScenario(t, sc)
		return
	}
	if os.Getenv("GOINIT_NETTEST") != "1" {
		t.Skip("set GOINIT_NETTEST=1 (as root) to run the DHCP namespace test")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	for _, tool := range []string{"ip", "dnsmasq", "unshare"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	setupNamespaces(t)
	startDnsmasq(t, dir)

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range []string{"race", "bootif", "bootif-nooffer", "iface-nocarrier", "static", "late-carrier"} {
		t.Run(sc, func(t *testing.T) {
			resetClient(t)
			cmd := exec.Command("ip", "netns", "exec", nsCli, "unshare", "--uts", self,
				"-test.run", "^TestDHCPNamespace$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), "GOINIT_NETTEST_SCENARIO="+sc, "GOINIT_NETTEST_DIR="+t.TempDir())
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			start := time.Now()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if sc == "late-carrier" {
				// The peer comes up 1.5s into the client's wait: the carrier event must
				// start the configuration.
				time.Sleep(1500 * time.Millisecond)
				nsRun(t, "ip", "-n", nsSrv, "link", "set", "srv2", "up")
				defer nsRun(t, "ip", "-n", nsSrv, "link", "set", "srv2", "down")
			}
			err := cmd.Wait()
			t.Logf("client %s (%s):\n%s", sc, time.Since(start).Round(time.Millisecond), out.String())
			if err != nil {
				t.Fatalf("client scenario %s failed: %v", sc, err)
			}
		})
	}
}

func nsRun(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func deleteNamespaces() {
	for _, ns := range []string{nsSrv, nsCli} {
		if _, err := os.Stat("/run/netns/" + ns); err == nil {
			exec.Command("ip", "netns", "delete", ns).Run()
		}
	}
}

func setupNamespaces(t *testing.T) {
	deleteNamespaces() // left over from an interrupted run of this test
	t.Cleanup(deleteNamespaces)
	nsRun(t, "ip", "netns", "add", nsSrv)
	nsRun(t, "ip", "netns", "add", nsCli)
	for i := 0; i < 3; i++ {
		srv, cli := fmt.Sprintf("srv%d", i), fmt.Sprintf("cli%d", i)
		nsRun(t, "ip", "-n", nsSrv, "link", "add", srv, "type", "veth", "peer", "name", cli, "netns", nsCli)
		nsRun(t, "ip", "-n", nsCli, "link", "set", cli, "address", nsMACs[cli])
	}
	nsRun(t, "ip", "-n", nsSrv, "link", "set", "lo", "up")
	nsRun(t, "ip", "-n", nsSrv, "addr", "add", "10.99.5.1/24", "dev", "srv0")
	nsRun(t, "ip", "-n", nsSrv, "link", "set", "srv0", "up")
	nsRun(t, "ip", "-n", nsSrv, "link", "set", "srv1", "up")
	// srv2 stays down: cli2 never sees carrier.
}

func startDnsmasq(t *testing.T, dir string) {
	pidFile := filepath.Join(dir, "dnsmasq.pid")
	conf := strings.Join([]string{
		"port=0",
		"interface=srv0",
		"bind-interfaces",
		"user=root",
		"group=root",
		"no-ping",
		"log-dhcp",
		"log-facility=" + filepath.Join(dir, "dnsmasq.log"),
		"pid-file=" + pidFile,
		"dhcp-leasefile=" + filepath.Join(dir, "dnsmasq.leases"),
		"dhcp-range=10.99.5.100,10.99.5.150,255.255.255.0,1h",
		"dhcp-host=" + nsMACs["cli0"] + ",10.99.5.77,clienthost",
		"dhcp-option=option:router,10.99.5.99",
		"dhcp-option=option:classless-static-route,10.77.0.0/16,10.99.5.254,0.0.0.0/0,10.99.5.1",
		"dhcp-option=option:dns-server,10.99.5.53",
		"dhcp-option=option:domain-name,lab.example",
		"dhcp-option=option:domain-search,lab.example,example",
		"dhcp-option=option:mtu,1400",
		"dhcp-option=option:ntp-server,10.99.5.123",
		"dhcp-option=option:root-path,10.99.5.1:/export",
		"",
	}, "\n")
	confFile := filepath.Join(dir, "dnsmasq.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// `ip netns exec` execs dnsmasq in place, so the PID is dnsmasq's.
	cmd := exec.Command("ip", "netns", "exec", nsSrv, "dnsmasq", "-k", "-C", confFile)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if log, err := os.ReadFile(filepath.Join(dir, "dnsmasq.log")); err == nil && t.Failed() {
			t.Logf("dnsmasq log:\n%s", log)
		}
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(pidFile); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("dnsmasq did not write its pid file within 5s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// resetClient takes the client namespace back to links down without addresses.
func resetClient(t *testing.T) {
	for cli := range nsMACs {
		nsRun(t, "ip", "-n", nsCli, "link", "set", cli, "down", "mtu", "1500")
		nsRun(t, "ip", "-n", nsCli, "addr", "flush", "dev", cli)
	}
}

// --- the client side, inside h5cli ---

func runClientScenario(t *testing.T, sc string) {
	logf := func(format string, args ...any) { t.Logf(format, args...) }
	switch sc {
	case "race":
		// ip=dhcp: cli0 answers, cli1 has carrier but no server, cli2 has no carrier.
		st := nsUpOK(t, "ip=dhcp root=dhcp", 30*time.Second, logf)
		checkDHCPLease(t, st)
		checkRunFiles(t, st)
		checkNFSFromDHCP(t, st)
	case "bootif":
		st := nsUpOK(t, "ip=dhcp BOOTIF=01-52-54-00-99-05-10", 30*time.Second, logf)
		checkDHCPLease(t, st)
	case "bootif-nooffer":
		plan := nsPlan(t, "ip=dhcp BOOTIF=01-52-54-00-99-05-11")
		ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
		defer cancel()
		_, err := Up(ctx, plan, logf)
		if err == nil || !strings.HasPrefix(err.Error(), "network: no DHCP offer on cli1 after ") || !strings.Contains(err.Error(), " tries") {
			t.Fatalf("error %v, want no DHCP offer on cli1", err)
		}
		t.Logf("expected error: %v", err)
		if addrs := nsAddrs(t, "cli0"); len(addrs) > 0 {
			t.Errorf("cli0 got %v though BOOTIF names cli1", addrs)
		}
	case "iface-nocarrier":
		plan := nsPlan(t, "ip=cli2:dhcp")
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_, err := Up(ctx, plan, logf)
		want := "network: no link had carrier within 3s: cli2 (up, no carrier)"
		if err == nil || err.Error() != want {
			t.Fatalf("error %v, want %s", err, want)
		}
		t.Logf("expected error: %v", err)
	case "static":
		st := nsUpOK(t, "ip=10.99.5.50:10.99.5.1:10.99.5.1:255.255.255.0:statichost:cli0:off:10.99.5.53", 10*time.Second, logf)
		l := st.Primary()
		if l.Proto != ProtoStatic || l.Prefix() != netip.MustParsePrefix("10.99.5.50/24") {
			t.Fatalf("lease %+v", l)
		}
		if got := nsAddrs(t, "cli0"); !reflect.DeepEqual(got, []string{"10.99.5.50/24"}) {
			t.Errorf("cli0 addresses %v", got)
		}
		if gw := nsDefaultGW(t); gw != "10.99.5.1" {
			t.Errorf("default route via %q", gw)
		}
		if h, _ := os.Hostname(); h != "statichost" {
			t.Errorf("host name %q", h)
		}
		r, err := ParseNFS(ipCmd("root=/dev/nfs nfsroot=/export/%s"))
		if err != nil {
			t.Fatal(err)
		}
		if r, err = r.Resolve(l); err != nil || r.Source() != "10.99.5.1:/export/10.99.5.50" {
			t.Errorf("nfsroot from the ip= server: %+v, %v", r, err)
		}
	case "late-carrier":
		start := time.Now()
		st := nsUpOK(t, "ip=10.99.7.2:::255.255.255.0::cli2:off", 10*time.Second, logf)
		if d := time.Since(start); d < time.Second || d > 5*time.Second {
			t.Errorf("Up took %s; the carrier came after about 1.5s", d)
		}
		if got := nsAddrs(t, "cli2"); len(st.Leases) != 1 || !reflect.DeepEqual(got, []string{"10.99.7.2/24"}) {
			t.Errorf("cli2 addresses %v", got)
		}
	default:
		t.Fatalf("unknown scenario %q", sc)
	}
}

func nsPlan(t *testing.T, line string) *NetPlan {
	t.Helper()
	p, err := ParseNetwork(ipCmd(line))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func nsUpOK(t *testing.T, line string, limit time.Duration, logf func(string, ...any)) *NetState {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	start := time.Now()
	st, err := Up(ctx, nsPlan(t, line), logf)
	if err != nil {
		t.Fatalf("Up(%s): %v", line, err)
	}
	t.Logf("Up(%s) took %s", line, time.Since(start).Round(time.Millisecond))
	return st
}

func checkDHCPLease(t *testing.T, st *NetState) {
	t.Helper()
	if len(st.Leases) != 1 {
		t.Fatalf("%d leases, want 1", len(st.Leases))
	}
	l := st.Primary()
	want := &Lease{
		Interface: "cli0", MAC: nsMACs["cli0"], Proto: ProtoDHCP,
		Address: a4("10.99.5.77"), PrefixLen: 24, Netmask: a4("255.255.255.0"), Broadcast: a4("10.99.5.255"),
		Routers: []netip.Addr{a4("10.99.5.99")},
		Routes: []Route{
			{Dest: netip.MustParsePrefix("10.77.0.0/16"), Gateway: a4("10.99.5.254")},
			{Dest: netip.MustParsePrefix("0.0.0.0/0"), Gateway: a4("10.99.5.1")},
		},
		MTU: 1400, DNS: []netip.Addr{a4("10.99.5.53")}, Domain: "lab.example", Search: []string{"lab.example", "example"},
		Hostname: "clienthost", NTP: []netip.Addr{a4("10.99.5.123")}, RootPath: "10.99.5.1:/export",
		NextServer: a4("10.99.5.1"), ServerID: a4("10.99.5.1"), LeaseTime: 3600,
	}
	got := *l
	got.Acquired, got.Uptime = time.Time{}, 0
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("lease\n got %+v\nwant %+v", &got, want)
	}
	if got := nsAddrs(t, "cli0"); !reflect.DeepEqual(got, []string{"10.99.5.77/24"}) {
		t.Errorf("cli0 addresses %v", got)
	}
	for _, cli := range []string{"cli1", "cli2"} {
		if got := nsAddrs(t, cli); len(got) > 0 {
			t.Errorf("%s got addresses %v", cli, got)
		}
	}
	// Option 121 wins over option 3: the default route goes via 10.99.5.1, not 10.99.5.99.
	if gw := nsDefaultGW(t); gw != "10.99.5.1" {
		t.Errorf("default route via %q, want 10.99.5.1", gw)
	}
	if !nsHasRoute(t, "10.77.0.0/16", "10.99.5.254") {
		t.Errorf("no route 10.77.0.0/16 via 10.99.5.254")
	}
	link, err := netlink.LinkByName("cli0")
	if err != nil {
		t.Fatal(err)
	}
	if link.Attrs().MTU != 1400 {
		t.Errorf("cli0 MTU %d, want 1400", link.Attrs().MTU)
	}
	if h, _ := os.Hostname(); h != "clienthost" {
		t.Errorf("host name %q, want clienthost", h)
	}
}

func checkRunFiles(t *testing.T, st *NetState) {
	t.Helper()
	root := os.Getenv("GOINIT_NETTEST_DIR")
	if err := WriteRunFiles(root, st); err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile(filepath.Join(root, "run/net-cli0.conf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("run/net-cli0.conf:\n%s", conf)
	for _, line := range []string{"DEVICE='cli0'", "PROTO='dhcp'", "IPV4ADDR='10.99.5.77'", "IPV4NETMASK='255.255.255.0'",
		"IPV4ROUTE1SUBNET='0.0.0.0/0'", "IPV4ROUTE1GATEWAY='10.99.5.1'", "IPV4DNS0='10.99.5.53'", "HOSTNAME='clienthost'",
		"ROOTSERVER='10.99.5.1'", "ROOTPATH='10.99.5.1:/export'", "DHCPLEASETIME='3600'", "DOMAINSEARCH='lab.example example'"} {
		if !strings.Contains(string(conf), line+"\n") {
			t.Errorf("net-cli0.conf lacks %s", line)
		}
	}
	resolv, err := os.ReadFile(filepath.Join(root, "run/goinit/resolv.conf"))
	if err != nil || !strings.Contains(string(resolv), "search lab.example example\nnameserver 10.99.5.53\n") {
		t.Errorf("resolv.conf %q, %v", resolv, err)
	}
	if _, err := os.Stat(filepath.Join(root, "run/goinit/lease-cli0.json")); err != nil {
		t.Error(err)
	}
}

func checkNFSFromDHCP(t *testing.T, st *NetState) {
	t.Helper()
	r, err := ParseNFSRootPath(st.Primary().RootPath)
	if err != nil {
		t.Fatal(err)
	}
	if r, err = r.Resolve(st.Primary()); err != nil {
		t.Fatal(err)
	}
	a := NewNFS(r)
	if a.String() != "nfs 10.99.5.1:/export" {
		t.Errorf("attacher %s", a)
	}
	// Nothing listens on 10.99.5.1:2049: Attach must fail in time, naming server and port.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = a.Attach(ctx)
	if err == nil || !strings.HasPrefix(err.Error(), "attach nfs 10.99.5.1:/export: server 10.99.5.1:2049 unreachable after ") ||
		!strings.HasSuffix(err.Error(), ": connection refused") {
		t.Errorf("Attach error %v", err)
	}
	t.Logf("expected error: %v", err)
}

func nsAddrs(t *testing.T, name string) []string {
	t.Helper()
	link, err := netlink.LinkByName(name)
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := netlink.AddrList(link, unix.AF_INET)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range addrs {
		out = append(out, a.IPNet.String())
	}
	return out
}

func nsDefaultGW(t *testing.T) string {
	t.Helper()
	routes, err := netlink.RouteList(nil, unix.AF_INET)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		if r.Dst == nil || r.Dst.IP.Equal(net.IPv4zero) && r.Dst.Mask != nil && nsZeroMask(r.Dst.Mask) {
			return r.Gw.String()
		}
	}
	return ""
}

func nsZeroMask(m net.IPMask) bool {
	ones, _ := m.Size()
	return ones == 0
}

func nsHasRoute(t *testing.T, dst, gw string) bool {
	t.Helper()
	routes, err := netlink.RouteList(nil, unix.AF_INET)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		if r.Dst != nil && r.Dst.String() == dst && r.Gw.String() == gw {
			return true
		}
	}
	return false
}
