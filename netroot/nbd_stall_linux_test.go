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

// testStallWatch returns a watchdog over client, with /sys/block/nbd0/inflight faked by a file
// holding inflight, that judges a connection stalled after after; its log lines go to *logs.
func testStallWatch(t *testing.T, client *net.TCPConn, inflight string, after time.Duration) (*nbdStallWatch, *[]string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "inflight")
	if err := os.WriteFile(path, []byte(inflight), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	logs := &[]string{}
	w := &nbdStallWatch{dev: "/dev/nbd0", timeout: 30 * time.Second, inflight: f,
		logf: func(format string, a ...any) { *logs = append(*logs, fmt.Sprintf(format, a...)) }}
	w.judge.after = after
	ws, err := nbdWatchSock(client, "127.0.0.1:10809")
	if err != nil {
		t.Fatal(err)
	}
	w.install(ws, false)
	return w, logs
}

// The watchdog shuts down a socket that received nothing while requests were in flight, so
// the other end sees the connection end; data arriving keeps it alive.
func TestNBDStallWatchShutsDownSilentSocket(t *testing.T) {
	client, server := nbdStallPair(t)
	w, lp := testStallWatch(t, client, "       1        0\n", 300*time.Millisecond)

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
	if len(*lp) != 0 {
		t.Fatalf("watchdog acted on a live connection: %q", *lp)
	}
	// Silence: within a few ticks the watchdog shuts the socket down.
	deadline := time.Now().Add(3 * time.Second)
	for len(*lp) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		if err := w.tick(time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if len(*lp) != 1 || !strings.HasPrefix((*lp)[0], "/dev/nbd0: no data from 127.0.0.1:10809 for ") ||
		!strings.HasSuffix((*lp)[0], "with 1 requests in flight: dropping the connection (its requests move to a new one within 30s)") {
		t.Fatalf("logs %q, want one line about dropping the silent connection", (*lp))
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
	w, lp := testStallWatch(t, client, "1 0\n", 100*time.Millisecond)
	server.Close()
	for end := time.Now().Add(500 * time.Millisecond); time.Now().Before(end); {
		time.Sleep(50 * time.Millisecond)
		if err := w.tick(time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if len(*lp) != 0 {
		t.Errorf("watchdog acted on an ended connection: %q", *lp)
	}
}
