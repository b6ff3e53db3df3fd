//go:build e2e

package e2e

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Lab is a private network for one test: a network namespace with tap devices tap0..tapN-1 that
// guests attach to (VMConfig.NetNS = lab.NS, QEMUArgs = lab.NIC(…)), the servers the test starts
// inside it, and a directory for their configs and logs. When the test fails, every Dir/*.log is
// kept as tests/e2e/logs/<Test>-<name>.log next to the console log.
type Lab struct {
	NS       string   // network namespace (ip netns)
	Dir      string   // configs, state and logs of the servers
	ServerIP string   // address of tap0: "10.99.0.1"
	Taps     []string // tap0 … tap<n-1>; tapI has 10.99.I.1/24
}

// NewLab creates a namespace with ntaps tap devices (tapI: 10.99.I.1/24, up, plus the pinned
// link-local fe80::1/64 that router advertisements for PXE need). Everything goes away when the
// test ends.
func NewLab(t testing.TB, ntaps int) *Lab {
	t.Helper()
	if ntaps < 1 || ntaps > 250 {
		t.Fatalf("new lab: %d tap devices, want 1 to 250", ntaps)
	}
	ns := NetNS(t)
	l := &Lab{NS: ns, Dir: t.TempDir(), ServerIP: "10.99.0.1"}
	// Registered after the temp dir, so it runs before the dir is removed and after every server
	// started later has been stopped (cleanups run last-in first-out).
	t.Cleanup(func() {
		if t.Failed() {
			l.keepLogs(t)
		}
	})
	ip := Tool(t, "ip", "iproute2")
	sysctl := Tool(t, "sysctl", "procps")
	for i := 0; i < ntaps; i++ {
		tap := fmt.Sprintf("tap%d", i)
		run(t, ip, "-n", ns, "tuntap", "add", "dev", tap, "mode", "tap")
		// A pinned link-local address survives QEMU closing the tap (PXE tests need it for RAs).
		run(t, ip, "netns", "exec", ns, sysctl, "-q", "-w",
			"net.ipv6.conf."+tap+".keep_addr_on_down=1", "net.ipv6.conf."+tap+".accept_dad=0")
		run(t, ip, "-n", ns, "addr", "add", fmt.Sprintf("10.99.%d.1/24", i), "dev", tap)
		run(t, ip, "-n", ns, "addr", "add", "fe80::1/64", "dev", tap, "nodad")
		run(t, ip, "-n", ns, "link", "set", tap, "up")
		l.Taps = append(l.Taps, tap)
	}
	// GOINIT_E2E_TCPDUMP=1 records every tap's traffic in Dir/tcpdump-tapI.log (kept with the
	// other logs), when tcpdump is installed.
	if os.Getenv("GOINIT_E2E_TCPDUMP") != "" {
		if td, err := lookTool("tcpdump", "tcpdump"); err == nil {
			for _, tap := range l.Taps {
				l.Start(t, "tcpdump-"+tap, td, "-n", "-tt", "-e", "-l", "-i", tap)
			}
		} else {
			t.Logf("lab: GOINIT_E2E_TCPDUMP: %v", err)
		}
	}
	return l
}

// NIC returns the QEMU arguments for the guest's NIC i on tapI; model is "virtio-net-pci" or
// "e1000", mac like "52:54:00:12:34:56".
func (l *Lab) NIC(i int, model, mac string) []string {
	return []string{
		"-netdev", fmt.Sprintf("tap,id=n%d,ifname=tap%d,script=no,downscript=no", i, i),
		"-device", fmt.Sprintf("%s,netdev=n%d,mac=%s", model, i, mac),
	}
}

// Exec runs a short command inside the namespace and returns its combined output, failing the
// test when it fails (e.g. tc or nft to inject faults).
func (l *Lab) Exec(t testing.TB, argv ...string) string {
	t.Helper()
	if len(argv) == 0 {
		t.Fatalf("lab exec: empty command")
	}
	return run(t, Tool(t, "ip", "iproute2"), append([]string{"netns", "exec", l.NS}, argv...)...)
}

// InNS runs fn on an OS thread that has joined the lab's namespace, so sockets fn opens live
// there; the thread returns to the host's namespace afterwards. The thread must not die: a
// process started with Pdeathsig (QEMU, servers) from it would be killed with it.
func (l *Lab) InNS(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		host, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("enter namespace %s: %w", l.NS, err)
			return
		}
		defer host.Close()
		f, err := os.Open(filepath.Join("/run/netns", l.NS))
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("enter namespace %s: %w", l.NS, err)
			return
		}
		err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
		f.Close()
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("enter namespace %s: setns: %w", l.NS, err)
			return
		}
		ferr := fn()
		if err := unix.Setns(int(host.Fd()), unix.CLONE_NEWNET); err != nil {
			// Stay locked: the thread ends with this goroutine rather than serve others in
			// the wrong namespace.
			errc <- fmt.Errorf("leave namespace %s: setns: %w", l.NS, err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// WaitTCP waits until a TCP connection to addr ("10.99.0.1:2049") from inside the namespace
// succeeds. It fails the test after timeout, or at once when p (may be nil) exits first.
func (l *Lab) WaitTCP(t testing.TB, p *Proc, addr string, timeout time.Duration) {
	t.Helper()
	if err := l.ProbeTCP(p, addr, timeout); err != nil {
		t.Fatal(err)
	} else {
		t.Logf("lab: tcp %s ready", addr)
	}
}

// WaitUDP waits until some socket in the namespace is bound to UDP port (e.g. 67 for dnsmasq),
// read from the namespace's /proc/net/udp.
func (l *Lab) WaitUDP(t testing.TB, p *Proc, port int, timeout time.Duration) {
	t.Helper()
	if err := l.ProbeUDP(p, port, timeout); err != nil {
		t.Fatal(err)
	} else {
		t.Logf("lab: udp port %d bound", port)
	}
}

// ProbeTCP is WaitTCP returning an error (with p's log) instead of failing the test.
func (l *Lab) ProbeTCP(p *Proc, addr string, timeout time.Duration) error {
	return l.waitReady(p, "tcp "+addr, timeout, func() error {
		c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err
	})
}

// ProbeUDP is WaitUDP returning an error (with p's log) instead of failing the test.
func (l *Lab) ProbeUDP(p *Proc, port int, timeout time.Duration) error {
	return l.waitReady(p, fmt.Sprintf("udp port %d", port), timeout, func() error {
		data, err := os.ReadFile("/proc/thread-self/net/udp")
		if err != nil {
			return err
		}
		if !udpBound(string(data), port) {
			return fmt.Errorf("no socket bound to udp port %d", port)
		}
		return nil
	})
}

// udpBound reports whether a /proc/net/udp table has a socket on the local port.
func udpBound(table string, port int) bool {
	suffix := fmt.Sprintf(":%04X", port)
	for _, line := range strings.Split(table, "\n")[1:] {
		f := strings.Fields(line)
		if len(f) > 1 && strings.HasSuffix(f[1], suffix) {
			return true
		}
	}
	return false
}

// waitReady polls probe inside the namespace every 50 ms until it succeeds, timeout passes, or
// p (may be nil) exits.
func (l *Lab) waitReady(p *Proc, what string, timeout time.Duration, probe func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := l.InNS(probe)
		if err == nil {
			return nil
		}
		if p != nil && p.Exited() {
			return fmt.Errorf("lab: wait for %s: %s exited first; its log:\n%s", what, p.Name, p.Log())
		}
		if time.Now().After(deadline) {
			msg := fmt.Sprintf("lab: wait for %s in namespace %s: not ready after %s: %v", what, l.NS, timeout, err)
			if p != nil {
				msg += "\n" + p.Name + " log:\n" + p.Log()
			}
			return errors.New(msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// keepLogs copies every Dir/*.log to tests/e2e/logs/<Test>-<name>.log.
func (l *Lab) keepLogs(t testing.TB) {
	logs, _ := filepath.Glob(filepath.Join(l.Dir, "*.log"))
	if len(logs) == 0 {
		return
	}
	dir := filepath.Join(env(t).Repo, "tests", "e2e", "logs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("keep server logs: %v", err)
		return
	}
	test := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	for _, src := range logs {
		dst := filepath.Join(dir, test+"-"+filepath.Base(src))
		data, err := os.ReadFile(src)
		if err == nil {
			err = os.WriteFile(dst, data, 0o644)
		}
		if err != nil {
			t.Logf("keep server log %s: %v", dst, err)
			continue
		}
		t.Logf("server log kept in %s", dst)
	}
}

// Proc is a server running inside a lab's namespace. Its stdout and stderr go to Dir/<name>.log.
type Proc struct {
	Name    string
	argv    []string // full command line: ip netns exec NS program args…
	logPath string
	respawn bool

	mu      sync.Mutex
	cmd     *exec.Cmd // the current process
	stopped bool
	starts  int
	exited  bool          // the (last) process exited and no restart follows
	done    chan struct{} // closed when the process (or the respawn loop) has ended
}

// Start runs argv inside the namespace. It is stopped (by its PID, and waited for) when the
// test ends, or earlier with Stop.
func (l *Lab) Start(t testing.TB, name string, argv ...string) *Proc {
	t.Helper()
	return l.start(t, name, false, argv)
}

// Respawn is Start for a program that must be restarted whenever it exits (vblade exits on any
// send error), until Stop or the end of the test.
func (l *Lab) Respawn(t testing.TB, name string, argv ...string) *Proc {
	t.Helper()
	return l.start(t, name, true, argv)
}

func (l *Lab) start(t testing.TB, name string, respawn bool, argv []string) *Proc {
	t.Helper()
	if len(argv) == 0 {
		t.Fatalf("lab: start %s: empty command", name)
	}
	if strings.ContainsAny(name, "/ ") || name == "" {
		t.Fatalf("lab: start %q: want a name without '/' or spaces", name)
	}
	p := &Proc{
		Name:    name,
		argv:    append([]string{Tool(t, "ip", "iproute2"), "netns", "exec", l.NS}, argv...),
		logPath: filepath.Join(l.Dir, name+".log"),
		respawn: respawn,
		done:    make(chan struct{}),
	}
	if _, err := os.Stat(p.logPath); err == nil {
		t.Fatalf("lab: start %s: a server of that name already ran in this lab (%s)", name, p.logPath)
	}
	cmd, err := p.spawn()
	if err != nil {
		t.Fatalf("lab: start %s: %v", name, err)
	}
	t.Logf("lab: %s pid %d: %s", name, cmd.Process.Pid, strings.Join(argv, " "))
	go p.supervise(cmd)
	t.Cleanup(p.Stop)
	return p
}

// errStopped is spawn's answer once Stop was called.
var errStopped = errors.New("stopped")

// spawn starts one process with its output appended to the log, unless Stop was called.
func (p *Proc) spawn() (*exec.Cmd, error) {
	f, err := os.OpenFile(p.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close() // the child has its own copy
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return nil, errStopped
	}
	p.starts++
	fmt.Fprintf(f, "# start %d: %s\n", p.starts, shellQuote(p.argv))
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Stdout, cmd.Stderr = f, f
	// Its own process group (no terminal signals), and SIGKILL should the test binary die first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", p.argv[0], err)
	}
	p.cmd = cmd
	return cmd, nil
}

// supervise waits for the process and, for Respawn, starts it again until Stop.
func (p *Proc) supervise(cmd *exec.Cmd) {
	defer close(p.done)
	for {
		err := cmd.Wait()
		p.note(fmt.Sprintf("# pid %d exited: %v", cmd.Process.Pid, exitText(err)))
		p.mu.Lock()
		again := p.respawn && !p.stopped
		if !again {
			p.exited = true
		}
		p.mu.Unlock()
		if !again {
			return
		}
		time.Sleep(200 * time.Millisecond) // no busy loop when it cannot start at all
		next, err := p.spawn()
		if err != nil {
			if !errors.Is(err, errStopped) {
				p.note("# respawn: " + err.Error())
			}
			p.mu.Lock()
			p.exited = true
			p.mu.Unlock()
			return
		}
		cmd = next
	}
}

func (p *Proc) note(line string) {
	if f, err := os.OpenFile(p.logPath, os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
		fmt.Fprintln(f, line)
		f.Close()
	}
}

// Stop ends the server: SIGTERM to its PID, SIGKILL after 5 s, and waits for it. Safe to call
// more than once.
func (p *Proc) Stop() {
	p.mu.Lock()
	p.stopped = true
	cmd := p.cmd
	p.mu.Unlock()
	select {
	case <-p.done:
		return
	default:
	}
	cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may have exited just now
	select {
	case <-p.done:
		return
	case <-time.After(5 * time.Second):
	}
	// A respawn loop may have started a new process meanwhile: kill the current one.
	p.mu.Lock()
	cmd = p.cmd
	p.mu.Unlock()
	cmd.Process.Kill() //nolint:errcheck
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.note(fmt.Sprintf("# pid %d did not exit 10 s after SIGKILL", cmd.Process.Pid))
	}
}

// Exited reports whether the server has ended for good (for Respawn: only after Stop).
func (p *Proc) Exited() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exited
}

// Starts is how many times the program was started (more than 1 only with Respawn).
func (p *Proc) Starts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.starts
}

// Pid is the PID of the current (or last) process.
func (p *Proc) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd.Process.Pid
}

// Log returns what the server wrote so far.
func (p *Proc) Log() string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return ""
		}
		return fmt.Sprintf("(read %s: %v)", p.logPath, err)
	}
	return string(data)
}
