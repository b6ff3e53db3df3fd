//go:build e2e

package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Servers and images for the block-level network roots: vblade (AoE), nbd-server (NBD), and the
// images embedded boards flash (ext4, squashfs, jffs2).

// blockNetModules are the modules the block-level network roots need; mkinitramfs puts them in
// every image by default (TestAoENBDModulesInImage checks that).
var blockNetModules = []string{"aoe", "nbd", "squashfs", "block2mtd", "mtdblock", "jffs2"}

// blockNetInitramfs is goinit's default image with virtio-net as the only NIC driver (the
// default module set is unchanged; --nics none only leaves out the other Ethernet drivers).
func blockNetInitramfs(t testing.TB) string {
	t.Helper()
	return Mkinitramfs(t, "--nics", "none", "--modules", "virtio_pci,virtio_net", "--busybox", "none")
}

// blockNetMAC is the guest's NIC; every guest has a lab of its own, so they can share it.
const blockNetMAC = "52:54:00:0b:10:c1"

// bootBlockNet boots goinit's network image with a virtio NIC on the lab's tap0. panic=10 comes
// first so a failing boot ends in seconds; a test's own panic= comes later and wins.
func bootBlockNet(t testing.TB, lab *Lab, params ...string) *VM {
	t.Helper()
	return Boot(t, VMConfig{
		Initrd:   blockNetInitramfs(t),
		NetNS:    lab.NS,
		QEMUArgs: lab.NIC(0, "virtio-net-pci", blockNetMAC),
		Append:   "panic=10 " + strings.Join(params, " "),
	})
}

// AoEExport is one target vblade serves.
type AoEExport struct {
	Shelf, Slot int
	Img         string
	Tap         int  // lab tap index (0: tap0)
	ReadOnly    bool // vblade -r: the target refuses writes
}

// StartVblade serves e as e<shelf>.<slot> on the lab's tap, restarted whenever it exits (vblade
// quits on any send error, e.g. ENOBUFS while no guest is attached to the tap).
func StartVblade(t testing.TB, lab *Lab, e AoEExport) *Proc {
	t.Helper()
	if e.Tap < 0 || e.Tap >= len(lab.Taps) {
		t.Fatalf("start vblade e%d.%d: tap %d, the lab has %d", e.Shelf, e.Slot, e.Tap, len(lab.Taps))
	}
	argv := []string{Tool(t, "vblade", "vblade")}
	if e.ReadOnly {
		argv = append(argv, "-r")
	}
	argv = append(argv, strconv.Itoa(e.Shelf), strconv.Itoa(e.Slot), lab.Taps[e.Tap], e.Img)
	return lab.Respawn(t, fmt.Sprintf("vblade-e%d.%d", e.Shelf, e.Slot), argv...)
}

// NBDExport is one named export of nbd-server.
type NBDExport struct {
	Name     string
	Img      string
	ReadOnly bool
}

// NBDPort is where nbd-server listens (the IANA port).
const NBDPort = 10809

// NBDServer is an nbd-server daemon in a lab.
type NBDServer struct {
	Addr string // 10.99.0.1:10809
	Conf string
	Pid  int
}

// nbdServerConfig renders nbd-server's config: one listener on addr, listing allowed (for
// NBD_OPT_LIST), one section per export in the given order.
func nbdServerConfig(addr string, port int, exports []NBDExport) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "[generic]\n  listenaddr = %s\n  port = %d\n  allowlist = true\n", addr, port)
	for _, e := range exports {
		if e.Name == "" || e.Name == "generic" || strings.ContainsAny(e.Name, "[]\n ") {
			return "", fmt.Errorf("nbd-server config: export name %q: want a plain section name other than generic", e.Name)
		}
		fmt.Fprintf(&b, "[%s]\n  exportname = %s\n  readonly = %t\n", e.Name, e.Img, e.ReadOnly)
	}
	return b.String(), nil
}

// StartNBDServer runs nbd-server with exports on the lab's server address. nbd-server always
// daemonizes, so it is tracked by its PID file; the test's cleanup stops it by that PID
// (SIGTERM, which also ends its per-connection children, then SIGKILL after 5 s).
func StartNBDServer(t testing.TB, lab *Lab, exports ...NBDExport) *NBDServer {
	t.Helper()
	bin := Tool(t, "nbd-server", "nbd-server")
	conf, err := nbdServerConfig(lab.ServerIP, NBDPort, exports)
	if err != nil {
		t.Fatalf("start nbd-server: %v", err)
	}
	s := &NBDServer{
		Addr: fmt.Sprintf("%s:%d", lab.ServerIP, NBDPort),
		Conf: filepath.Join(lab.Dir, "nbd-server.conf"),
	}
	if err := os.WriteFile(s.Conf, []byte(conf), 0o644); err != nil {
		t.Fatalf("start nbd-server: %v", err)
	}
	pidFile := filepath.Join(lab.Dir, "nbd-server.pid")
	logPath := filepath.Join(lab.Dir, "nbd-server.log")
	argv := []string{Tool(t, "ip", "iproute2"), "netns", "exec", lab.NS, bin, "-C", s.Conf, "-p", pidFile}
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	os.WriteFile(logPath, append([]byte("# "+shellQuote(argv)+"\n"), out...), 0o644) //nolint:errcheck // the log only helps a failure
	if err != nil {
		t.Fatalf("start nbd-server: %s: %v\n%s", shellQuote(argv), err, out)
	}
	if s.Pid, err = waitPIDFile(pidFile, 5*time.Second); err != nil {
		t.Fatalf("start nbd-server: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if err := stopDaemon(s.Pid, "nbd-server"); err != nil {
			t.Errorf("stop nbd-server: %v", err)
		}
	})
	t.Logf("lab: nbd-server pid %d on %s, exports %s", s.Pid, s.Addr, nbdExportNames(exports))
	lab.WaitTCP(t, nil, s.Addr, 10*time.Second)
	return s
}

func nbdExportNames(exports []NBDExport) string {
	names := make([]string, len(exports))
	for i, e := range exports {
		names[i] = strconv.Quote(e.Name)
	}
	return strings.Join(names, ", ")
}

// waitPIDFile waits until a daemon has written its PID file.
func waitPIDFile(path string, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for {
		data, err := os.ReadFile(path)
		if err == nil {
			pid, perr := strconv.Atoi(strings.TrimSpace(string(data)))
			if perr == nil && pid > 1 {
				return pid, nil
			}
			err = fmt.Errorf("holds %q, want a PID", data)
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("read pid file %s: %w (waited %s)", path, err, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stopDaemon ends the daemon with this PID: SIGTERM, SIGKILL after 5 s. It signals nothing when
// the PID no longer runs a program named comm (the daemon is gone and the PID may be reused).
func stopDaemon(pid int, comm string) error {
	alive := func() bool {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		return err == nil && strings.TrimSpace(string(b)) == comm
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		if !alive() {
			return nil
		}
		if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("kill %d (%s) with %v: %w", pid, comm, sig, err)
		}
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if !alive() {
				return nil
			}
		}
	}
	return fmt.Errorf("pid %d (%s) still runs 5 s after SIGKILL", pid, comm)
}

// RandomFile returns a file of n random bytes at path and the canary parameter that checks its
// sha256 after the switch (canary.sha256=<path>:<hex>).
func RandomFile(t testing.TB, path string, n int) (File, string) {
	t.Helper()
	data := make([]byte, n)
	if _, err := io.ReadFull(rand.Reader, data); err != nil {
		t.Fatalf("random file %s: %v", path, err)
	}
	return File{Path: path, Data: string(data)}, fmt.Sprintf("canary.sha256=%s:%x", path, sha256.Sum256(data))
}

// IDFile returns /etc/goinit-test-id, unique to this test run, and its canary check: it proves
// the canary runs on the very image the test built.
func IDFile(t testing.TB) (File, string) {
	t.Helper()
	id := fmt.Sprintf("%s %s\n", t.Name(), NewUUID(t))
	return File{Path: "/etc/goinit-test-id", Data: id},
		fmt.Sprintf("canary.sha256=/etc/goinit-test-id:%x", sha256.Sum256([]byte(id)))
}

// MakeJFFS2 writes a jffs2 image of tree for flash with eraseSize-byte erase blocks: the image
// ends on an erase block, followed by spare erased (0xFF) blocks, so block2mtd with the same
// erase size maps it whole. It returns the path.
func MakeJFFS2(t testing.TB, tree string, eraseSize, spareBlocks int) string {
	t.Helper()
	if eraseSize < 4096 || eraseSize&(eraseSize-1) != 0 {
		t.Fatalf("make jffs2: erase size %d, want a power of two from 4096", eraseSize)
	}
	img := filepath.Join(t.TempDir(), "root.jffs2")
	mk := Tool(t, "mkfs.jffs2", "mtd-utils")
	run(t, mk, "--root="+tree, "--output="+img, "--eraseblock="+strconv.Itoa(eraseSize), "--pad",
		"--little-endian", "--squash-uids")
	st, err := os.Stat(img)
	if err != nil {
		t.Fatalf("make jffs2: %v", err)
	}
	if st.Size() == 0 || st.Size()%int64(eraseSize) != 0 {
		t.Fatalf("make jffs2: %s has %d bytes, not a whole number of %d-byte erase blocks", img, st.Size(), eraseSize)
	}
	f, err := os.OpenFile(img, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatalf("make jffs2: %v", err)
	}
	defer f.Close()
	if _, err := f.Write(bytes.Repeat([]byte{0xff}, spareBlocks*eraseSize)); err != nil {
		t.Fatalf("make jffs2: pad %s: %v", img, err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("make jffs2: %v", err)
	}
	return img
}
