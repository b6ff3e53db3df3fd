//go:build e2e

package e2e

import (
	"crypto/sha256"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goinit/goinit/internal/labconf"
)

// TestNetLab checks the lab itself (no guest): taps and addresses inside the namespace and not on
// the host, Respawn restarting a program that exits, Stop ending it, readiness probes.
func TestNetLab(t *testing.T) {
	t.Parallel()
	lab := NewLab(t, 2)
	if got := strings.Join(lab.Taps, ","); got != "tap0,tap1" {
		t.Errorf("taps = %s, want tap0,tap1", got)
	}
	out := lab.Exec(t, "ip", "-o", "addr", "show", "dev", "tap1")
	for _, want := range []string{"10.99.1.1/24", "fe80::1/64"} {
		if !strings.Contains(out, want) {
			t.Errorf("tap1 addresses %q: no %s", out, want)
		}
	}
	if _, err := net.InterfaceByName("tap0"); err == nil {
		t.Errorf("tap0 exists on the host: the lab must keep its taps in namespace %s", lab.NS)
	}
	if err := lab.InNS(func() error {
		_, err := net.InterfaceByName("tap0")
		return err
	}); err != nil {
		t.Errorf("tap0 inside the namespace: %v", err)
	}

	p := lab.Respawn(t, "flaky", "sh", "-c", "echo flaky ran; exit 3")
	deadline := time.Now().Add(10 * time.Second)
	for p.Starts() < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if p.Starts() < 3 {
		t.Errorf("respawned program started %d times in 10 s, want at least 3; log:\n%s", p.Starts(), p.Log())
	}
	p.Stop()
	if !p.Exited() {
		t.Errorf("respawned program still running after Stop")
	}
	n := p.Starts()
	time.Sleep(500 * time.Millisecond)
	if p.Starts() != n {
		t.Errorf("respawned program restarted after Stop: %d starts, then %d", n, p.Starts())
	}
	// The last start may have been stopped before it printed.
	if got := strings.Count(p.Log(), "\nflaky ran\n"); got < n-1 || got > n {
		t.Errorf("log has %d runs, want %d or %d:\n%s", got, n-1, n, p.Log())
	}

	// busybox nc listens on TCP inside the namespace; the probe must reach it there.
	bb := Tool(t, "busybox", "busybox-static")
	nc := lab.Start(t, "nc", bb, "nc", "-l", "-p", "4567")
	lab.WaitTCP(t, nc, lab.ServerIP+":4567", 10*time.Second)
	nc.Stop()
	if !nc.Exited() {
		t.Errorf("nc still running after Stop")
	}
}

// netRoot is a root tree for network boots, with an id file only this test's tree has (IDCheck
// proves the canary runs on it) and the checks every NFS boot runs in the booted root.
type netRoot struct {
	Tree    string
	IDCheck string // canary.sha256=/etc/goinit-test-id:<hex>
}

func newNetRoot(t testing.TB) netRoot {
	t.Helper()
	id := fmt.Sprintf("%s %s\n", t.Name(), NewUUID(t))
	return netRoot{
		Tree:    RootTree(t, File{Path: "/etc/goinit-test-id", Data: id}),
		IDCheck: fmt.Sprintf("canary.sha256=/etc/goinit-test-id:%x", sha256.Sum256([]byte(id))),
	}
}

// Guest MAC addresses: the NIC on tap0 and the one on tap1.
const (
	mac0 = "52:54:00:99:00:10"
	mac1 = "52:54:00:99:01:10"
)

// netCase is one NFS boot scenario.
type netCase struct {
	model    string // "e1000" or "virtio-net-pci" (every NIC of the guest)
	nics     int    // default 1; NIC i is on tapI, only tap0 has servers
	swapNICs bool   // with 2 NICs: the tap1 NIC comes first (eth0), the tap0 NIC is eth1
	dhcp     bool   // run dnsmasq on tap0
	rootPath string // DHCP option 17 (with dhcp)
	nfs      bool   // run rpcbind and ganesha exporting the test's root tree
	numeric  bool   // with nfs: ganesha sends owners as numbers (Only_Numeric_Owners)
	append   string // goinit's parameters
	iface    string // the interface that reaches the servers; default eth0
	image    []string
}

// netNFSBoot starts the lab and servers of c and boots the guest with the canary's checks of
// the booted root appended (netChecks). panic=10 comes first so a failing boot ends in seconds;
// the case's own panic= comes later and wins.
func netNFSBoot(t *testing.T, c netCase) (*VM, *Lab) {
	t.Helper()
	if c.nfs {
		LockNFS(t) // before NewLab: released after the servers are stopped
	}
	if c.nics == 0 {
		c.nics = 1
	}
	if c.iface == "" {
		c.iface = "eth0"
	}
	img := Mkinitramfs(t, c.image...)
	root := newNetRoot(t)
	lab := NewLab(t, c.nics)
	if c.dhcp {
		var conf []string
		if c.rootPath != "" {
			conf = append(conf, "dhcp-option=option:root-path,"+c.rootPath)
		}
		lab.StartDnsmasq(t, conf...)
	}
	if c.nfs {
		s := lab.StartNFS(t, root.Tree)
		if c.numeric {
			numericOwners(t, lab, s)
		}
	}
	var qargs []string
	for i := 0; i < c.nics; i++ {
		nic := lab.NIC(i, c.model, []string{mac0, mac1}[i%2])
		if c.swapNICs {
			qargs = append(nic, qargs...)
		} else {
			qargs = append(qargs, nic...)
		}
	}
	// GOINIT_E2E_KEEP_LOGS=1 keeps the console and server logs of passing tests too.
	var vm *VM
	t.Cleanup(func() {
		if os.Getenv("GOINIT_E2E_KEEP_LOGS") != "" && !t.Failed() && vm != nil {
			vm.keepLog()
			lab.keepLogs(t)
		}
	})
	checks := root.IDCheck + " canary.cat=/run/net-" + c.iface + ".conf canary.cat=/proc/net/fib_trie"
	if c.nics > 1 {
		// The kernel's ethN names follow probe order, which is not guaranteed: cat every
		// interface's file; expectNetRoot finds the right one from goinit's console.
		checks = root.IDCheck + " canary.cat=/run/net-eth0.conf canary.cat=/run/net-eth1.conf canary.cat=/proc/net/fib_trie"
	}
	vm = Boot(t, VMConfig{
		Initrd:   img,
		Append:   "panic=10 " + c.append + " " + checks,
		NetNS:    lab.NS,
		QEMUArgs: qargs,
	})
	return vm, lab
}

// netWant is what a booted NFS root must show.
type netWant struct {
	fstype     string // "nfs4" or "nfs" (v2/v3)
	iface      string // default eth0
	proto      string // PROTO= in the lease file: "dhcp" or "none" (static)
	addr       string // IPV4ADDR=; empty: any address of dnsmasq's pool
	rootServer string // ROOTSERVER=; default 10.99.0.1
	rootPath   string // ROOTPATH=
	hostname   string // HOSTNAME=
	mac        string // the MAC of the interface (lease-<iface>.json is not checked)
	nics       int    // the guest's NIC count; with 2, the unused interface has no lease file
}

// expectNetRoot waits for the canary on an NFS root and checks what it reports: the root's
// type and source, the test's tree, /run/net-<iface>.conf (klibc format) and that the lease's
// address is still configured (a /32 host LOCAL entry in /proc/net/fib_trie).
func expectNetRoot(t *testing.T, vm *VM, w netWant) {
	t.Helper()
	if w.iface == "auto" {
		// The interface goinit configured, whatever the kernel named it.
		line := vm.WaitForUser(`goinit: network: \S+ configured by`, bootWait)
		w.iface = strings.Fields(line[strings.Index(line, "network: ")+len("network: "):])[0]
	}
	if w.iface == "" {
		w.iface = "eth0"
	}
	if w.rootServer == "" {
		w.rootServer = "10.99.0.1"
	}
	c := vm.WaitCanary(bootWait)
	if c.FSType != w.fstype || c.Source != "10.99.0.1:/export" || c.Root != "ro" {
		t.Errorf("canary root = %s %s %s, want %s 10.99.0.1:/export ro", c.FSType, c.Source, c.Root, w.fstype)
	}
	if status, detail := vm.Check("sha256", "/etc/goinit-test-id", bootWait); status != "ok" {
		t.Errorf("root is not this test's tree: sha256 check %s %s", status, detail)
	}
	leaseFile := "/run/net-" + w.iface + ".conf"
	if w.nics > 1 {
		for _, f := range []string{"/run/net-eth0.conf", "/run/net-eth1.conf"} {
			status, detail := vm.Check("cat", f, bootWait)
			if f == leaseFile && status != "ok" || f != leaseFile && status == "ok" {
				t.Errorf("cat %s: %s %s (goinit configured %s only)", f, status, detail, w.iface)
			}
		}
	} else if status, detail := vm.Check("cat", leaseFile, bootWait); status != "ok" {
		t.Errorf("cat %s: %s %s", leaseFile, status, detail)
	}
	if status, detail := vm.Check("cat", "/proc/net/fib_trie", bootWait); status != "ok" {
		t.Errorf("cat /proc/net/fib_trie: %s %s", status, detail)
	}
	vm.WaitPowerOff(bootWait)

	conf, trie := splitCat(vm.Seen(`^GOINIT-CANARY-CAT `))
	addr := conf["IPV4ADDR"]
	if w.addr != "" && addr != w.addr || w.addr == "" && !inPool(addr) {
		t.Errorf("%s: IPV4ADDR=%q, want %s", leaseFile, addr, or(w.addr, "an address of "+labconf.DHCPRange))
	}
	want := map[string]string{
		"DEVICE": w.iface, "PROTO": w.proto, "IPV4NETMASK": "255.255.255.0",
		"ROOTSERVER": w.rootServer, "ROOTPATH": w.rootPath, "HOSTNAME": w.hostname,
	}
	for k, v := range want {
		if got, ok := conf[k]; !ok || got != v {
			t.Errorf("%s: %s=%q, want %q (file: %v)", leaseFile, k, got, v, conf)
		}
	}
	if !addressConfigured(trie, addr) {
		t.Errorf("address %s is not configured in the booted root; /proc/net/fib_trie:\n%s", addr, strings.Join(trie, "\n"))
	}
}

// splitCat separates the canary's cat output into the lease file (KEY='value' lines, values
// unquoted) and the other lines (/proc/net/fib_trie).
func splitCat(lines []string) (conf map[string]string, other []string) {
	conf = map[string]string{}
	for _, l := range lines {
		l = strings.TrimPrefix(l, "GOINIT-CANARY-CAT ")
		if k, v, ok := strings.Cut(l, "="); ok && strings.HasPrefix(v, "'") && !strings.ContainsAny(k, " |+/") {
			conf[k] = strings.Trim(v, "'")
			continue
		}
		other = append(other, l)
	}
	return conf, other
}

// inPool reports whether a is in dnsmasq's range 10.99.0.100–199.
func inPool(a string) bool {
	ip, err := netip.ParseAddr(a)
	if err != nil || !ip.Is4() {
		return false
	}
	b := ip.As4()
	return b[0] == 10 && b[1] == 99 && b[2] == 0 && b[3] >= 100 && b[3] <= 199
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// addressConfigured reports whether /proc/net/fib_trie lines hold addr as a local (/32 host
// LOCAL) entry: the kernel has the address on an interface.
func addressConfigured(trie []string, addr string) bool {
	for i, l := range trie {
		if strings.TrimSpace(l) != "|-- "+addr {
			continue
		}
		for _, next := range trie[i+1:] {
			s := strings.TrimSpace(next)
			if !strings.HasPrefix(s, "/") {
				break
			}
			if s == "/32 host LOCAL" {
				return true
			}
		}
	}
	return false
}

// TestNFSSeedLine boots the seed's append line verbatim, with DHCP, on an e1000. No version
// named in the kernel's form: goinit tries v3 first, as the kernel and initramfs-tools do.
func TestNFSSeedLine(t *testing.T) {
	t.Parallel()
	vm, _ := netNFSBoot(t, netCase{model: "e1000", dhcp: true, nfs: true,
		append: "root=/dev/nfs nfsroot=10.99.0.1:/export,ro,nolock"})
	expectNetRoot(t, vm, netWant{fstype: "nfs", proto: "dhcp"})
}

// TestNFSDracutV3 boots dracut's root=nfs: form with NFSv3 named in its options, on
// virtio-net; goinit adds nolock and TCP for mountd itself.
func TestNFSDracutV3(t *testing.T) {
	t.Parallel()
	vm, _ := netNFSBoot(t, netCase{model: "virtio-net-pci", dhcp: true, nfs: true,
		append: "root=nfs:10.99.0.1:/export:vers=3"})
	expectNetRoot(t, vm, netWant{fstype: "nfs", proto: "dhcp"})
}

// TestNFSDracutV4 boots dracut's root=nfs4: form on virtio-net. ganesha sends owner names
// (root@localdomain): goinit says so and maps them before the switch (internal/idmap), with no
// warning, since root owns the helper's path. faults_idmap_test.go shows the root then stays up.
func TestNFSDracutV4(t *testing.T) {
	t.Parallel()
	vm, _ := netNFSBoot(t, netCase{model: "virtio-net-pci", dhcp: true, nfs: true,
		append: "root=nfs4:10.99.0.1:/export"})
	expectNetRoot(t, vm, netWant{fstype: "nfs4", proto: "dhcp"})
	expectOwnerNames(t, vm, true)
}

// TestNFSv4NumericOwners boots an NFSv4 root from a server that sends owners as numbers: the
// kernel never asks for a mapping, and goinit says nothing about owner names.
func TestNFSv4NumericOwners(t *testing.T) {
	t.Parallel()
	vm, _ := netNFSBoot(t, netCase{model: "virtio-net-pci", dhcp: true, nfs: true, numeric: true,
		append: "root=nfs4:10.99.0.1:/export"})
	expectNetRoot(t, vm, netWant{fstype: "nfs4", proto: "dhcp"})
	expectOwnerNames(t, vm, false)
}

// expectOwnerNames checks goinit's console line about NFSv4 owner names (one when the server
// sends names, none otherwise) and that no owner stayed unmapped.
func expectOwnerNames(t *testing.T, vm *VM, names bool) {
	t.Helper()
	got := len(vm.Seen(regexp.QuoteMeta(ownerNamesLine)))
	if want := map[bool]int{true: 1, false: 0}[names]; got != want {
		t.Errorf("goinit printed %q %d times, want %d", ownerNamesLine, got, want)
	}
	if l := vm.Seen("owner names"); !names && len(l) > 0 {
		t.Errorf("goinit spoke of owner names with a server that sends numbers: %q", l)
	}
	if l := vm.Seen(ownerNamesWarning); len(l) > 0 {
		t.Errorf("goinit warned %q; want the root's owners mapped", l)
	}
}

// TestNFSRootDHCP boots root=dhcp: the root comes from DHCP option 17, on an e1000.
func TestNFSRootDHCP(t *testing.T) {
	t.Parallel()
	vm, _ := netNFSBoot(t, netCase{model: "e1000", dhcp: true, nfs: true, rootPath: "10.99.0.1:/export",
		append: "root=dhcp"})
	expectNetRoot(t, vm, netWant{fstype: "nfs4", proto: "dhcp", rootPath: "10.99.0.1:/export"})
}

// TestNFSServerFromDHCP boots a bare nfsroot=<path>: the server is DHCP's next-server (dnsmasq
// sends its own address), on virtio-net.
func TestNFSServerFromDHCP(t *testing.T) {
	t.Parallel()
	vm, _ := netNFSBoot(t, netCase{model: "virtio-net-pci", dhcp: true, nfs: true,
		append: "root=/dev/nfs nfsroot=/export"})
	expectNetRoot(t, vm, netWant{fstype: "nfs", proto: "dhcp"})
}

// TestNFSStaticIP boots the kernel's static ip= form with no DHCP server in the network, on
// virtio-net. The ip= line names no server, so ROOTSERVER is 0.0.0.0 as klibc writes it.
func TestNFSStaticIP(t *testing.T) {
	t.Parallel()
	vm, _ := netNFSBoot(t, netCase{model: "virtio-net-pci", nfs: true,
		append: "ip=10.99.0.50::10.99.0.1:255.255.255.0:client:eth0:off root=/dev/nfs nfsroot=10.99.0.1:/export"})
	expectNetRoot(t, vm, netWant{fstype: "nfs", proto: "none", addr: "10.99.0.50", rootServer: "0.0.0.0", hostname: "client"})
}

// TestNetTwoNICsBOOTIF: two NICs, DHCP and NFS only behind the second one (eth1, on tap0);
// BOOTIF names its MAC, so goinit must configure eth1 and leave eth0 alone. (A goinit that
// ignored BOOTIF would race both and also boot: its console lines about eth0 give it away.)
func TestNetTwoNICsBOOTIF(t *testing.T) {
	t.Parallel()
	bootif := "01-" + strings.ReplaceAll(mac0, ":", "-")
	vm, _ := netNFSBoot(t, netCase{model: "e1000", nics: 2, swapNICs: true, dhcp: true, nfs: true, iface: "eth1",
		append: "BOOTIF=" + bootif + " ip=dhcp root=/dev/nfs nfsroot=10.99.0.1:/export"})
	expectNetRoot(t, vm, netWant{fstype: "nfs", proto: "dhcp", iface: "auto", nics: 2})
	configured := vm.Seen(`goinit: network: \S+ configured by`)
	other := "eth0"
	if len(configured) == 1 && strings.Contains(configured[0], "network: eth0 ") {
		other = "eth1"
	}
	if got := vm.Seen(`goinit: (network: ` + other + ` |dhcp ` + other + `)`); len(got) != 0 {
		t.Errorf("goinit worked on %s although BOOTIF=%s names the other NIC:\n%s", other, bootif, strings.Join(got, "\n"))
	}
}

// TestNetTwoNICsDHCP: two NICs, only the second (eth1) has a DHCP server; plain ip=dhcp races
// both and must take the one that answers.
func TestNetTwoNICsDHCP(t *testing.T) {
	t.Parallel()
	vm, _ := netNFSBoot(t, netCase{model: "virtio-net-pci", nics: 2, swapNICs: true, dhcp: true, nfs: true, iface: "eth1",
		append: "ip=dhcp root=/dev/nfs nfsroot=10.99.0.1:/export"})
	expectNetRoot(t, vm, netWant{fstype: "nfs", proto: "dhcp", iface: "auto", nics: 2})
	for _, l := range []string{"eth0", "eth1"} {
		if got := vm.Seen(`goinit: network: ` + l + ` has carrier.*; DHCP`); len(got) != 1 {
			t.Errorf("ip=dhcp must try DHCP on every link with carrier: lines about %s: %q", l, got)
		}
	}
}

// netFailWait bounds a failing boot: rd.retry=10 for the network and again for the root, then
// panic=2.
const netFailWait = 60 * time.Second

// TestNFSServerDown: DHCP works but no NFS server runs; within rd.retry goinit must name the
// server and the export, then reboot.
func TestNFSServerDown(t *testing.T) {
	t.Parallel()
	vm, _ := netNFSBoot(t, netCase{model: "virtio-net-pci", dhcp: true,
		append: "root=/dev/nfs nfsroot=10.99.0.1:/export rd.retry=10 panic=2"})
	netUp := vm.WaitForUser(`goinit: network: .*\(\d+\.\d+s\)$`, netFailWait)
	line := vm.WaitForUser(`goinit: error: .*10\.99\.0\.1:/export.*(unreachable|refused|no answer|not respond)`, netFailWait)
	t.Logf("error line %.1fs after start: %s", vm.Since().Seconds(), line)
	// rd.retry=10 bounds the attach: the error comes 10 s (plus slack) after the network is up.
	if d, ok := goinitDelta(netUp, line); !ok || d < 9*time.Second || d > 13*time.Second {
		t.Errorf("the error came %s after the network was up, want about rd.retry=10s:\n%s\n%s", d, netUp, line)
	}
	expectRebootWithoutCanary(t, vm, netFailWait)
}

// goinitStamp reads goinit's own time stamp "[12.447] goinit: …" of a console line.
var goinitStamp = regexp.MustCompile(`^\[ *(\d+\.\d{3})\] goinit: `)

// goinitDelta is the time between two goinit console lines by goinit's own time stamps.
func goinitDelta(from, to string) (time.Duration, bool) {
	a, b := goinitStamp.FindStringSubmatch(from), goinitStamp.FindStringSubmatch(to)
	if a == nil || b == nil {
		return 0, false
	}
	fa, err1 := strconv.ParseFloat(a[1], 64)
	fb, err2 := strconv.ParseFloat(b[1], 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(math.Round((fb-fa)*1000)) * time.Millisecond, true
}

// TestNFSWrongExport: the server runs but has no /nope; goinit must say it refused the path.
func TestNFSWrongExport(t *testing.T) {
	t.Parallel()
	vm, _ := netNFSBoot(t, netCase{model: "e1000", dhcp: true, nfs: true,
		append: "root=/dev/nfs nfsroot=10.99.0.1:/nope rd.retry=10 panic=2"})
	line := vm.WaitForUser(`"/nope".*(refused|does not (have|export)|not found|no such)|(refused|does not (have|export)|not found|no such).*"/nope"`, netFailWait)
	t.Logf("error line %.1fs after start: %s", vm.Since().Seconds(), line)
	expectRebootWithoutCanary(t, vm, netFailWait)
}

// TestNetNoNICDriver: an image without NIC drivers on an e1000 guest; goinit's failure report
// must list the e1000's PCI modalias as a device no module in the image matched.
func TestNetNoNICDriver(t *testing.T) {
	t.Parallel()
	vm, _ := netNFSBoot(t, netCase{model: "e1000", image: []string{"--nics", "none"},
		append: "root=/dev/nfs nfsroot=10.99.0.1:/export rd.retry=5 panic=2"})
	vm.WaitForUser(`BOOT FAILED in stage "network"`, netFailWait)
	line := vm.WaitForUser(`pci:v00008086d0000100E`, netFailWait)
	t.Logf("modalias line %.1fs after start: %s", vm.Since().Seconds(), line)
	expectRebootWithoutCanary(t, vm, netFailWait)
}

// TestNetHelpers checks the scenario helpers on real /proc samples.
func TestNetHelpers(t *testing.T) {
	trie := []string{
		"Main:", "  +-- 0.0.0.0/0 2 0 2", "     |-- 10.99.0.0", "        /24 link UNICAST",
		"     |-- 10.99.0.115", "        /32 host LOCAL", "     |-- 10.99.0.255", "        /32 link BROADCAST",
	}
	for _, c := range []struct {
		addr string
		want bool
	}{{"10.99.0.115", true}, {"10.99.0.0", false}, {"10.99.0.255", false}, {"10.99.0.11", false}, {"", false}} {
		if got := addressConfigured(trie, c.addr); got != c.want {
			t.Errorf("addressConfigured(%q) = %v, want %v", c.addr, got, c.want)
		}
	}
	udp := "  sl  local_address rem_address   st\n" +
		"  12: 0100630A:0043 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1\n"
	if !udpBound(udp, 67) || udpBound(udp, 68) || udpBound(udp, 0x63) {
		t.Errorf("udpBound on %q: want port 67 only", udp)
	}
	conf, other := splitCat([]string{"GOINIT-CANARY-CAT DEVICE='eth0'", "GOINIT-CANARY-CAT ROOTPATH=''",
		"GOINIT-CANARY-CAT   +-- 0.0.0.0/1 2 0 2"})
	if len(conf) != 2 || conf["DEVICE"] != "eth0" || conf["ROOTPATH"] != "" || len(other) != 1 {
		t.Errorf("splitCat = %v %q", conf, other)
	}
	if d, ok := goinitDelta("[ 2.417] goinit: network: x (1.6s)", "[12.450] goinit: error"); !ok || d != 10033*time.Millisecond {
		t.Errorf("goinitDelta = %s %v, want 10.033s", d, ok)
	}
	for a, want := range map[string]bool{"10.99.0.100": true, "10.99.0.199": true, "10.99.0.99": false, "10.99.1.150": false, "x": false} {
		if inPool(a) != want {
			t.Errorf("inPool(%q) = %v, want %v", a, !want, want)
		}
	}
}
