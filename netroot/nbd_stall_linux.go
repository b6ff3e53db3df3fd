package netroot

import (
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// nbdWatchedSock is the supervisor's copy of a socket the kernel serves the device over.
type nbdWatchedSock struct {
	raw  syscall.RawConn
	c    io.Closer
	addr string
}

// nbdWatchSock wraps a connection (a net.Conn or an *os.File holding a socket).
func nbdWatchSock(c interface {
	io.Closer
	SyscallConn() (syscall.RawConn, error)
}, addr string) (*nbdWatchedSock, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return nil, err
	}
	return &nbdWatchedSock{raw: raw, c: c, addr: addr}, nil
}

// sinceData is how long ago the socket last received data (TCP_INFO tcpi_last_data_recv);
// open is false once the connection is no longer established (shut down by the kernel too).
func (s *nbdWatchedSock) sinceData() (since time.Duration, open bool, err error) {
	var info *unix.TCPInfo
	var gerr error
	if err := s.raw.Control(func(fd uintptr) {
		info, gerr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	}); err != nil {
		return 0, false, err
	}
	if gerr != nil {
		return 0, false, fmt.Errorf("getsockopt TCP_INFO: %w", gerr)
	}
	return time.Duration(info.Last_data_recv) * time.Millisecond, info.State == tcpEstablished, nil
}

// tcpEstablished is TCP_ESTABLISHED, tcpi_state of a connection in use.
const tcpEstablished = 1

// shutdown ends the connection for the kernel too (it is the same socket).
func (s *nbdWatchedSock) shutdown() error {
	var serr error
	if err := s.raw.Control(func(fd uintptr) { serr = unix.Shutdown(int(fd), unix.SHUT_RDWR) }); err != nil {
		return err
	}
	return serr
}

// nbdStallWatch runs the stall watchdog for one device.
type nbdStallWatch struct {
	dev      string        // /dev/nbdN
	timeout  time.Duration // the kernel's request timeout: the grace after a replacement
	inflight *os.File      // /sys/block/nbdN/inflight, opened before the switch
	logf     func(string, ...any)

	mu    sync.Mutex
	sock  *nbdWatchedSock
	judge nbdStallJudge
}

// install makes s the watched connection, closing the copy of the one it replaces.
func (w *nbdStallWatch) install(s *nbdWatchedSock, replaced bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sock != nil {
		w.sock.c.Close()
	}
	w.sock = s
	grace := time.Duration(0)
	if replaced {
		grace = w.timeout
	}
	w.judge.newSocket(time.Now(), grace)
}

// run looks every interval, for ever.
func (w *nbdStallWatch) run(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	complained := false
	for range t.C {
		if err := w.tick(time.Now()); err != nil && !complained {
			w.logf("stall watchdog of %s: %v", w.dev, err)
			complained = true // once: the same error every second helps nobody
		}
	}
}

func (w *nbdStallWatch) tick(now time.Time) error {
	var buf [64]byte
	n, err := w.inflight.ReadAt(buf[:], 0)
	if err != nil && err != io.EOF {
		return fmt.Errorf("read %s: %w", w.inflight.Name(), err)
	}
	inflight, err := nbdParseInflight(string(buf[:n]))
	if err != nil {
		return fmt.Errorf("read %s: %w", w.inflight.Name(), err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sock == nil {
		return nil
	}
	since, open, err := w.sock.sinceData()
	if err != nil {
		return err
	}
	if !open {
		inflight = 0 // already ended (the kernel's own timeout): the reconnect is under way
	}
	if !w.judge.look(now, inflight, since) {
		return nil
	}
	w.logf("%s: no data from %s for %s with %d requests in flight: dropping the connection (its requests move to a new one within %s)",
		w.dev, w.sock.addr, since.Round(100*time.Millisecond), inflight, w.timeout)
	if err := w.sock.shutdown(); err != nil {
		return fmt.Errorf("shut down the connection to %s: %w", w.sock.addr, err)
	}
	return nil
}
