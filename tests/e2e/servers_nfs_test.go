//go:build e2e

package e2e

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goinit/goinit/internal/labconf"
	"golang.org/x/sys/unix"
)

// nfsMu and the file lock nfsLockPath serialize the tests that run rpcbind (and so ganesha,
// which needs it for NFSv3): rpcbind listens on /run/rpcbind.sock on the host's filesystem, which
// network namespaces do not separate, so only one rpcbind may run on the machine at a time, also
// across test processes (several `go test` runs, other packages' benchmarks). LockNFS takes both.
var nfsMu sync.Mutex

// nfsLockPath is the machine-wide lock file (flock) for rpcbind.
const nfsLockPath = "/run/goinit-e2e-rpcbind.lock"

// nfsLockWait bounds the wait for the machine-wide lock.
const nfsLockWait = 15 * time.Minute

// serverWait bounds each wait for a server to listen.
const serverWait = 20 * time.Second

// LockNFS takes the machine-wide NFS lock for the rest of the test. Call it before NewLab, so the
// lock is released only after the lab's servers are stopped (cleanups run last-in first-out).
func LockNFS(t testing.TB) {
	t.Helper()
	start := time.Now()
	nfsMu.Lock()
	f, err := os.OpenFile(nfsLockPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		nfsMu.Unlock()
		t.Fatalf("lab: NFS lock: %v", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) || time.Since(start) > nfsLockWait {
			f.Close()
			nfsMu.Unlock()
			t.Fatalf("lab: NFS lock: flock %s: %v after %s (another test process runs rpcbind?)",
				nfsLockPath, err, time.Since(start).Round(time.Second))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Cleanup(func() {
		unix.Flock(int(f.Fd()), unix.LOCK_UN) //nolint:errcheck // closing releases it anyway
		f.Close()
		nfsMu.Unlock()
	})
	if w := time.Since(start); w > time.Second {
		t.Logf("lab: waited %s for the NFS lock (one rpcbind per machine)", w.Round(100*time.Millisecond))
	}
}

// StartDnsmasq runs dnsmasq as a DHCP server only (no DNS, no TFTP) on tap0, in the foreground
// (-k) so the Proc owns its PID, and waits until it listens on port 67. conf are more lines for
// its config file, e.g. "dhcp-option=option:root-path,10.99.0.1:/export" (dnsmasq sends option
// 17 only to clients that ask for it). It logs every DHCP exchange to Dir/dnsmasq.log.
func (l *Lab) StartDnsmasq(t testing.TB, conf ...string) *Proc {
	t.Helper()
	cfg := filepath.Join(l.Dir, "dnsmasq.conf")
	writeConfig(t, cfg, labconf.DnsmasqDHCP(l.Dir, conf...))
	p := l.Start(t, "dnsmasq", Tool(t, "dnsmasq", "dnsmasq"), "-k", "-C", cfg)
	l.WaitUDP(t, p, 67, serverWait)
	return p
}

// NFSServer is rpcbind and nfs-ganesha exporting a tree as 10.99.0.1:/export (v3 and v4.x).
type NFSServer struct {
	RPCBind *Proc
	Ganesha *Proc
	LogPath string // ganesha's own log (Dir/ganesha-nfsd.log)
}

// StartNFS runs rpcbind and ganesha (FSAL VFS, read-only export of tree at pseudo path /export,
// v3 and v4.0–4.2 over TCP, no grace period) on the lab's server address, and waits until NFS
// (2049), mountd (20048) and rpcbind (111) accept connections. The caller must hold LockNFS.
func (l *Lab) StartNFS(t testing.TB, tree string) *NFSServer {
	t.Helper()
	if nfsMu.TryLock() { // it must be held (by this test: a mutex has no owner to check)
		nfsMu.Unlock()
		t.Fatalf("lab: start NFS: call LockNFS(t) before NewLab (only one rpcbind per machine)")
	}
	rec := filepath.Join(l.Dir, "ganesha-recovery")
	if err := os.MkdirAll(rec, 0o755); err != nil {
		t.Fatalf("lab: start NFS: %v", err)
	}
	s := &NFSServer{LogPath: filepath.Join(l.Dir, "ganesha-nfsd.log")}
	waitForeignRPCBind(t, nfsLockWait)
	s.RPCBind = l.Start(t, "rpcbind", Tool(t, "rpcbind", "rpcbind"), "-f")
	l.WaitTCP(t, s.RPCBind, l.ServerIP+":111", serverWait)

	cfg := filepath.Join(l.Dir, "ganesha.conf")
	writeConfig(t, cfg, labconf.Ganesha(l.ServerIP, tree, rec))
	s.Ganesha = l.startGanesha(t, "ganesha", cfg, s.LogPath)
	return s
}

// startGanesha runs ganesha.nfsd in the foreground with config cfg, logging to logPath, and
// waits until NFS (2049) and mountd (20048) accept connections; it fails the test with the end
// of ganesha's log when they do not.
func (l *Lab) startGanesha(t testing.TB, name, cfg, logPath string) *Proc {
	t.Helper()
	g := l.Start(t, name, Tool(t, "ganesha.nfsd", "nfs-ganesha"),
		"-F", "-f", cfg, "-L", logPath, "-p", filepath.Join(l.Dir, "ganesha.pid"), "-N", "NIV_EVENT")
	for _, port := range []string{"2049", "20048"} {
		if err := l.ProbeTCP(g, l.ServerIP+":"+port, serverWait); err != nil {
			t.Fatalf("lab: %s: %v\nganesha log:\n%s", name, err, labconf.Tail(logPath, 40))
		}
	}
	return g
}

// waitForeignRPCBind waits (up to timeout) while an rpcbind that is not ours runs on the
// machine: a test process built before the file lock, or one that does not take it, would
// otherwise have its /run/rpcbind.sock taken over.
func waitForeignRPCBind(t testing.TB, timeout time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		pid := runningPID("rpcbind")
		if pid == 0 {
			if w := time.Since(start); w > time.Second {
				t.Logf("lab: waited %s for another process's rpcbind to end", w.Round(time.Second))
			}
			return
		}
		if time.Since(start) > timeout {
			t.Fatalf("lab: rpcbind pid %d (not this test's) still runs after %s; only one rpcbind per machine", pid, timeout)
		}
		time.Sleep(time.Second)
	}
}

// runningPID returns the PID of a process whose command name (/proc/PID/comm) is name, or 0.
func runningPID(name string) int {
	comms, _ := filepath.Glob("/proc/[0-9]*/comm")
	for _, c := range comms {
		if b, err := os.ReadFile(c); err == nil && strings.TrimSpace(string(b)) == name {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(c)))
			return pid
		}
	}
	return 0
}

func writeConfig(t testing.TB, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatalf("lab: write %s: %v", path, err)
	}
}

// goinit's console lines about NFSv4 owner names (internal/idmap.Report).
const (
	ownerNamesLine    = "nfs: the server sends owner names (gid:root@localdomain, uid:root@localdomain)"
	ownerNamesWarning = "stays unmapped"
)

// numericOwners restarts the lab's ganesha with NFSV4 Only_Numeric_Owners, so that it sends
// owners and groups as "0" instead of "root@localdomain", as the Linux kernel's server does
// for sec=sys clients while nfs4_disable_idmapping is on.
func numericOwners(t *testing.T, lab *Lab, s *NFSServer) {
	t.Helper()
	conf := filepath.Join(lab.Dir, "ganesha.conf")
	data, err := os.ReadFile(conf)
	if err != nil {
		t.Fatalf("lab: numeric owners: %v", err)
	}
	const block = "NFSV4 {\n"
	if !strings.Contains(string(data), block) {
		t.Fatalf("lab: numeric owners: %s has no %q block", conf, strings.TrimSpace(block))
	}
	text := strings.Replace(string(data), block, block+"\tOnly_Numeric_Owners = true;\n", 1)
	writeConfig(t, conf, text)
	s.Ganesha.Stop()
	s.Ganesha = lab.startGanesha(t, "ganesha-numeric", conf, s.LogPath)
}
