package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is a server the demo runs inside its network namespace (ip netns exec NS prog …), in a
// process group of its own so a Ctrl-C on the terminal reaches only the demo, which then stops
// the servers in order. Its output goes to dir/<name>.log.
type proc struct {
	name    string
	argv    []string
	logPath string
	respawn bool

	mu      sync.Mutex
	cmd     *exec.Cmd
	stopped bool
	exited  bool
	done    chan struct{}
}

// startProc starts argv in namespace ns. With respawn the program is started again whenever it
// exits (vblade ends on any send error), until stop.
func startProc(ns, dir, name string, respawn bool, argv ...string) (*proc, error) {
	p := &proc{
		name:    name,
		argv:    append([]string{"ip", "netns", "exec", ns}, argv...),
		logPath: dir + "/" + name + ".log",
		respawn: respawn,
		done:    make(chan struct{}),
	}
	cmd, err := p.spawn()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go p.supervise(cmd)
	return p, nil
}

var errStopped = errors.New("stopped")

func (p *proc) spawn() (*exec.Cmd, error) {
	f, err := os.OpenFile(p.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return nil, errStopped
	}
	fmt.Fprintf(f, "# %s\n", strings.Join(p.argv, " "))
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Stdout, cmd.Stderr = f, f
	// Own process group (no terminal signals); SIGKILL should the demo itself be killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p.cmd = cmd
	return cmd, nil
}

func (p *proc) supervise(cmd *exec.Cmd) {
	defer close(p.done)
	for {
		err := cmd.Wait()
		p.note(fmt.Sprintf("# pid %d ended: %v", cmd.Process.Pid, err))
		p.mu.Lock()
		again := p.respawn && !p.stopped
		p.mu.Unlock()
		if !again {
			break
		}
		time.Sleep(200 * time.Millisecond)
		next, err := p.spawn()
		if err != nil {
			if !errors.Is(err, errStopped) {
				p.note("# respawn: " + err.Error())
			}
			break
		}
		cmd = next
	}
	p.mu.Lock()
	p.exited = true
	p.mu.Unlock()
}

func (p *proc) note(line string) {
	if f, err := os.OpenFile(p.logPath, os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
		fmt.Fprintln(f, line)
		f.Close()
	}
}

// pid is the PID of the current process (ip execs the program, so it is the server's own).
func (p *proc) pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd.Process.Pid
}

func (p *proc) hasExited() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exited
}

// stop sends SIGTERM to the server's PID, SIGKILL after 5 s, and waits for it.
func (p *proc) stop() error {
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		select {
		case <-p.done:
			return nil
		default:
		}
		p.mu.Lock()
		pid := p.cmd.Process.Pid
		p.mu.Unlock()
		if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("kill %s pid %d: %w", p.name, pid, err)
		}
		select {
		case <-p.done:
			return nil
		case <-time.After(5 * time.Second):
		}
	}
	return fmt.Errorf("stop %s pid %d: still running 5 s after SIGKILL", p.name, p.pid())
}

// logTail returns the last n lines of the server's log.
func (p *proc) logTail(n int) string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(read %s: %v)", p.logPath, err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitListening waits until the server's network namespace has a socket listening on port
// (proto "tcp" or "udp"), read from /proc/<pid>/net/{proto,proto6}: that file shows the
// namespace of the process, so no one has to enter it.
func waitListening(ctx context.Context, p *proc, proto string, port int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if p.hasExited() {
			return fmt.Errorf("wait for %s to listen on %s port %d: it exited; its log ends with:\n%s", p.name, proto, port, p.logTail(15))
		}
		pid := p.pid()
		for _, f := range []string{proto, proto + "6"} {
			table, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, f))
			if err == nil && listensOn(string(table), port, proto == "tcp") {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("wait for %s to listen on %s port %d: not listening after %s; its log ends with:\n%s", p.name, proto, port, timeout, p.logTail(15))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
