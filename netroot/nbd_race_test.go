package netroot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// nbdSilentServer accepts connections and never sends the greeting, like a server whose
// greeting a lossy link keeps losing.
func nbdSilentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return ln.Addr().String()
}

// The first attempt reaches a server that stays silent; the second, started after the
// stagger, reaches one that answers and wins long before the first attempt's deadline.
func TestNBDRaceOverlapsSlowAttempt(t *testing.T) {
	silent := nbdSilentServer(t)
	good := fmt.Sprintf("127.0.0.1:%d", nbdLoopbackServer(t, nbdServeExport(1<<20, NBDFlagHasFlags)))
	var mu sync.Mutex
	var dialed []string
	var logs []string
	d := &net.Dialer{}
	r := &nbdRacer{
		addr: "server", export: "root", stagger: 50 * time.Millisecond, attempt: 5 * time.Second,
		maxLive: 3, backoffMin: 10 * time.Millisecond, backoffMax: 40 * time.Millisecond, what: "nbd test",
		dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			mu.Lock()
			addr := good
			if len(dialed) == 0 {
				addr = silent
			}
			dialed = append(dialed, addr)
			mu.Unlock()
			return d.DialContext(ctx, network, addr)
		},
		logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) },
	}
	began := time.Now()
	conn, exp, err := r.run(context.Background(), nil)
	if err != nil {
		t.Fatalf("race: %v", err)
	}
	defer conn.Close()
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("race took %s: the second attempt did not overlap the silent first", took)
	}
	if exp.Size != 1<<20 || conn.RemoteAddr().String() != good {
		t.Errorf("won export of %d bytes on %s, want 1 MiB on %s", exp.Size, conn.RemoteAddr(), good)
	}
	if len(dialed) != 2 || len(logs) != 1 || !strings.Contains(logs[0], "nbd test: no answer yet: attempt 2 on a new connection (2 running") {
		t.Errorf("dialed %q, logs %q; want two dials and one line about attempt 2", dialed, logs)
	}
}

// A server's final answer (an unknown export) ends the race at once, without more attempts.
func TestNBDRaceFinalAnswer(t *testing.T) {
	port := nbdLoopbackServer(t, func(s *nbdFakeServer) {
		s.greet(nbdFixedNoZeroes)
		s.option()
		s.reply(nbdOptGo, nbdRepErrUnknown, nil)
		s.option()
		s.reply(nbdOptList, nbdRepAck, nil)
	})
	dials := 0
	d := &net.Dialer{}
	r := &nbdRacer{
		addr: fmt.Sprintf("127.0.0.1:%d", port), export: "root", stagger: time.Second, attempt: 5 * time.Second,
		maxLive: 3, backoffMin: 10 * time.Millisecond, backoffMax: 40 * time.Millisecond,
		dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials++
			return d.DialContext(ctx, network, addr)
		},
	}
	_, _, err := r.run(context.Background(), nil)
	var unknown *NBDUnknownExportError
	if !errors.As(err, &unknown) || dials != 1 {
		t.Errorf("race error %v after %d dials, want the unknown export after one", err, dials)
	}
}

// With firstFailureEnds (the supervisor, which moves on to the next server) a refused dial
// ends the race; without it the race retries until ctx ends and says how often it tried.
func TestNBDRaceRefused(t *testing.T) {
	dead := nbdDeadAddr(t)
	r := &nbdRacer{
		addr: dead, stagger: time.Second, attempt: time.Second, maxLive: 3,
		backoffMin: 10 * time.Millisecond, backoffMax: 20 * time.Millisecond, dial: (&net.Dialer{}).DialContext,
		firstFailureEnds: true,
	}
	if _, _, err := r.run(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("race with firstFailureEnds: %v, want connection refused", err)
	}
	r.firstFailureEnds = false
	failures := 0
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, _, err := r.run(ctx, func(int, error) { failures++ })
	if err == nil || !strings.Contains(err.Error(), "connection refused (gave up at the deadline after ") || failures < 5 {
		t.Errorf("race until the deadline: %v after %d failures, want connection refused and at least 5", err, failures)
	}
}

// With firstFailureEnds, an attempt that fails while another is still running does not end
// the race: the supervisor saw its first attempt time out and gave up on a server whose second
// attempt was about to succeed.
func TestNBDRaceFailureWhileOthersRun(t *testing.T) {
	good := fmt.Sprintf("127.0.0.1:%d", nbdLoopbackServer(t, nbdServeExport(1<<20, NBDFlagHasFlags)))
	var mu sync.Mutex
	dials := 0
	d := &net.Dialer{}
	r := &nbdRacer{
		addr: good, export: "root", stagger: 20 * time.Millisecond, attempt: 5 * time.Second, maxLive: 3,
		backoffMin: 10 * time.Millisecond, backoffMax: 20 * time.Millisecond, firstFailureEnds: true,
		dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			mu.Lock()
			dials++
			n := dials
			mu.Unlock()
			if n == 1 {
				time.Sleep(100 * time.Millisecond)
				return nil, errors.New("dial tcp " + addr + ": i/o timeout")
			}
			time.Sleep(200 * time.Millisecond)
			return d.DialContext(ctx, network, addr)
		},
	}
	conn, _, err := r.run(context.Background(), nil)
	if err != nil {
		t.Fatalf("race ended at the first failure while another attempt ran: %v", err)
	}
	conn.Close()
}
