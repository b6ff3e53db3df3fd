//go:build e2e

package e2e

import (
	"crypto/md5"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Fault injection for the reliability tests (TESTBED.md "Faults": the host has no netem):
// packet loss with nftables on the lab's tap, delay with QEMU's filter-buffer, outages by
// stopping a server by its PID and starting it again.

// LossyBridge puts the lab's tap i and a new veth pair into a bridge and drops pct percent of
// the frames the bridge forwards, both ways (an nftables bridge table in the lab's namespace).
// The tap's address (10.99.i.1/24) moves to the server end of the veth pair, so TCP servers
// started afterwards are reached through the lossy bridge; the returned name is that end, for
// layer-2 servers (vblade). Call it before starting servers.
//
// Why not drop on the tap itself (nftables netdev egress): a frame dropped there is reported to
// the local sender as an error. vblade exits on it (and spends a test restarting), and a TCP
// server sees local congestion instead of loss; a real lossy link fails silently, like the
// bridge does.
//
// The bridge device itself does no ARP ("arp off"). Linux answers ARP for any local address on
// any interface, so with ARP on, lbrI too answered the guest's "who has 10.99.i.1", with its
// own MAC and before the server end could (its answer is not forwarded, so nothing delays or
// drops it). A guest that kept that answer sent its frames to the bridge device, which hands
// them to the local stack without forwarding them: past the drop rule. Depending on that race
// and on later ARP traffic, about half of the runs had loss one way only (seen in captures on
// tapI and lsrvI: two ARP replies, and the guest's frames addressed to lbrI's MAC arriving
// whole).
func LossyBridge(t testing.TB, lab *Lab, i, pct int) string {
	t.Helper()
	if pct < 0 || pct > 100 || i < 0 || i >= len(lab.Taps) {
		t.Fatalf("lossy bridge %d: %d%%: want a tap of the lab and 0-100", i, pct)
	}
	ip := Tool(t, "ip", "iproute2")
	br, srv, peer := fmt.Sprintf("lbr%d", i), fmt.Sprintf("lsrv%d", i), fmt.Sprintf("lpeer%d", i)
	for _, argv := range [][]string{
		{ip, "link", "add", br, "type", "bridge", "stp_state", "0", "forward_delay", "0"},
		{ip, "link", "add", srv, "type", "veth", "peer", "name", peer},
		{ip, "link", "set", lab.Taps[i], "master", br},
		{ip, "link", "set", peer, "master", br},
		{ip, "link", "set", br, "arp", "off"},
		{ip, "link", "set", br, "up"},
		{ip, "link", "set", srv, "up"},
		{ip, "link", "set", peer, "up"},
		{ip, "addr", "del", fmt.Sprintf("10.99.%d.1/24", i), "dev", lab.Taps[i]},
		{ip, "addr", "add", fmt.Sprintf("10.99.%d.1/24", i), "dev", srv},
	} {
		lab.Exec(t, argv...)
	}
	rules := fmt.Sprintf(`table bridge goinit_loss {
	chain forward_loss { type filter hook forward priority 0; numgen random mod 100 < %d drop; }
}
`, pct)
	path := filepath.Join(lab.Dir, fmt.Sprintf("loss-%s.nft", br))
	if err := os.WriteFile(path, []byte(rules), 0o644); err != nil {
		t.Fatalf("lossy bridge: %v", err)
	}
	lab.Exec(t, Tool(t, "nft", "nftables"), "-f", path)
	// GOINIT_E2E_TCPDUMP=1 (see NewLab) also records the server end: with the guest's tap that
	// shows which frames the bridge dropped, each way.
	if os.Getenv("GOINIT_E2E_TCPDUMP") != "" {
		if td, err := lookTool("tcpdump", "tcpdump"); err == nil {
			lab.Start(t, "tcpdump-"+srv, td, "-n", "-tt", "-e", "-l", "-i", srv)
		}
	}
	t.Logf("lab: bridge %s (%s, %s) drops %d%% of forwarded frames; servers use %s", br, lab.Taps[i], peer, pct, srv)
	return srv
}

// delayArgs delays every frame of QEMU's netdev n<i> by about ms milliseconds (filter-buffer
// releases the queued frames every interval).
func delayArgs(i, ms int) []string {
	return []string{"-object", fmt.Sprintf("filter-buffer,id=f%d,netdev=n%d,queue=all,interval=%d", i, i, ms*1000)}
}

// faultVM boots goinit's virtio network image on the lab's tap0 with extra QEMU arguments.
func faultVM(t testing.TB, lab *Lab, qemu []string, params ...string) *VM {
	t.Helper()
	return Boot(t, VMConfig{
		Initrd:   blockNetInitramfs(t),
		NetNS:    lab.NS,
		QEMUArgs: append(lab.NIC(0, "virtio-net-pci", blockNetMAC), qemu...),
		Append:   "panic=10 " + strings.Join(params, " "),
	})
}

// readLoop is a root tree's script that reads a big file again and again with the page cache
// dropped before each pass, printing each pass's md5 straight to the console (the canary prints
// a program's output only when it ends), so a test can time a server restart against it.
type readLoop struct {
	Files  []File // the big file, the script, busybox
	MD5    string // of the big file
	Passes int
	Run    string // canary.run=/readloop.sh
}

const readLoopMarker = "READLOOP"

func newReadLoop(t testing.TB, size, passes int) readLoop {
	t.Helper()
	big, _ := RandomFile(t, "/big.bin", size)
	script := fmt.Sprintf(`#!/bin/sh
bb=/bin/busybox
i=1
while [ $i -le %d ]; do
	echo 3 > /proc/sys/vm/drop_caches
	start=$($bb date +%%s)
	sum=$($bb md5sum /big.bin)
	end=$($bb date +%%s)
	read up idle < /proc/uptime
	echo "%s pass $i ${sum%%%% *} $((end - start))s up=$up" > /dev/console
	i=$((i + 1))
	$bb sleep 1
done
echo "%s done" > /dev/console
`, passes, readLoopMarker, readLoopMarker)
	files := append(BusyboxFiles(t), big, File{Path: "/readloop.sh", Data: script, Mode: 0o755})
	return readLoop{Files: files, MD5: fmt.Sprintf("%x", md5.Sum([]byte(big.Data))), Passes: passes, Run: "canary.run=/readloop.sh"}
}

// check waits for every pass and fails on a missing pass or a checksum that differs.
func (r readLoop) check(t *testing.T, vm *VM, timeout time.Duration) {
	t.Helper()
	vm.WaitFor(readLoopMarker+" done", timeout)
	re := regexp.MustCompile(readLoopMarker + ` pass (\d+) (\S+) (\d+)s up=(\S+)`)
	seen := map[int]bool{}
	for _, l := range vm.Seen(readLoopMarker + ` pass `) {
		m := re.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("unexpected read loop line %q", l)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		seen[n] = true
		if m[2] != r.MD5 {
			t.Errorf("pass %d: md5 %s, want %s", n, m[2], r.MD5)
		}
		t.Logf("read pass %d: %s in %ss, done at uptime %ss", n, m[2], m[3], m[4])
	}
	for i := 1; i <= r.Passes; i++ {
		if !seen[i] {
			t.Errorf("read pass %d missing", i)
		}
	}
}

// waitPass waits until the read loop has printed pass n.
func (r readLoop) waitPass(vm *VM, n int, timeout time.Duration) {
	vm.WaitFor(fmt.Sprintf(`%s pass %d `, readLoopMarker, n), timeout)
}
