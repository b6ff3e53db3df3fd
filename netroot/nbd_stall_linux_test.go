package netroot

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nbdStallPair is a loopback TCP connection: the client end (the socket the kernel would
// serve the device over) and the server end.
func nbdStallPair(t *testing.T) (client *net.TCPConn, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c.(*net.TCPConn), s
}

// The watchdog shuts down a socket that received nothing while requests were in flight, so
// the other end sees the connection end; data arriving keeps it alive.
func TestNBDStallWatchShutsDownSilentSocket(t *testing.T) {
	client, server := nbdStallPair(t)
	inflight := filepath.Join(t.TempDir(), "inflight")
	if err := os.WriteFile(inflight, []byte("       1        0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(inflight)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var logs []string
	w := &nbdStallWatch{dev: "/dev/nbd0", timeout: 30 * time.Second, inflight: f,
		logf: func(format string, a ...any) { logs = append(logs, fmt.Sprintf(format, a...)) }}
	w.judge.after = 300 * time.Millisecond
	ws, err := nbdWatchSock(client, "127.0.0.1:10809")
	if err != nil {
		t.Fatal(err)
	}
	w.install(ws, false)

	// Data every 100 ms: requests in flight, but the connection is alive.
	start := time.Now()
	for time.Since(start) < 600*time.Millisecond {
		if _, err := server.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
		if err := w.tick(time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if len(logs) != 0 {
		t.Fatalf("watchdog acted on a live connection: %q", logs)
	}
	// Silence: within a few ticks the watchdog shuts the socket down.
	deadline := time.Now().Add(3 * time.Second)
	for len(logs) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		if err := w.tick(time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if len(logs) != 1 || !strings.HasPrefix(logs[0], "/dev/nbd0: no data from 127.0.0.1:10809 for ") ||
		!strings.HasSuffix(logs[0], "with 1 requests in flight: dropping the connection (its requests move to a new one within 30s)") {
		t.Fatalf("logs %q, want one line about dropping the silent connection", logs)
	}
	server.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadAll(server); err != nil {
		t.Errorf("server end after the shutdown: %v, want the connection ended (EOF)", err)
	}
}

// A connection that already ended (the kernel's own timeout shut it down, or the server closed
// it) is being replaced already: the watchdog leaves it alone.
func TestNBDStallWatchIgnoresEndedSocket(t *testing.T) {
	client, server := nbdStallPair(t)
	inflight := filepath.Join(t.TempDir(), "inflight")
	if err := os.WriteFile(inflight, []byte("1 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(inflight)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var logs []string
	w := &nbdStallWatch{dev: "/dev/nbd0", timeout: 30 * time.Second, inflight: f,
		logf: func(format string, a ...any) { logs = append(logs, fmt.Sprintf(format, a...)) }}
	w.judge.after = 100 * time.Millisecond
	ws, err := nbdWatchSock(client, "127.0.0.1:10809")
	if err != nil {
		t.Fatal(err)
	}
	w.install(ws, false)
	server.Close()
	for end := time.Now().Add(500 * time.Millisecond); time.Now().Before(end); {
		time.Sleep(50 * time.Millisecond)
		if err := w.tick(time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if len(logs) != 0 {
		t.Errorf("watchdog acted on an ended connection: %q", logs)
	}
}
