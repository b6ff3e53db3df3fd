package netroot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// Dial and handshake attempts overlap on a lossy link: one whose SYN or greeting was lost
// sits in TCP's retransmission back-off (1 s, 2 s, 4 s, … per lost segment), so rather than
// wait it out, another attempt starts every nbdStagger while at most nbdMaxLive run, and the
// first to finish the handshake wins. Each attempt has its own deadline (nbdAttempt).
const (
	nbdStagger = 2 * time.Second
	nbdAttempt = 10 * time.Second
	nbdMaxLive = 3
)

// nbdRacer negotiates an export with a server over overlapping attempts.
type nbdRacer struct {
	addr, export string
	dial         func(ctx context.Context, network, addr string) (net.Conn, error)
	stagger      time.Duration // start another attempt after this long without a winner
	attempt      time.Duration // deadline of one dial + handshake
	maxLive      int
	backoffMin   time.Duration // after a failed attempt, wait before the next (doubling)
	backoffMax   time.Duration
	logf         func(string, ...any) // nil: quiet
	what         string               // names the root in log lines
	// firstFailureEnds ends the race at a failed attempt when no other is still running (the
	// supervisor then tries the next server) instead of retrying with back-off until ctx ends.
	firstFailureEnds bool
}

type nbdRaceResult struct {
	n     int
	conn  net.Conn
	exp   *Export
	err   error
	final bool // the server's answer, not worth another attempt
}

// nbdRetryable reports whether a handshake that failed is worth another attempt: a network
// error or the attempt's own deadline; not a server that answered with something final (an
// unknown export, not an NBD server). Every dial error is worth another.
func nbdRetryable(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &oe) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, os.ErrDeadlineExceeded)
}

// run returns a connection in the transmission phase and its export, or the error that ended
// the race: the last attempt's when ctx ends, or the first final one. failed hears of each
// attempt that failed and is worth repeating.
func (r *nbdRacer) run(ctx context.Context, failed func(n int, err error)) (net.Conn, *Export, error) {
	rctx, cancel := context.WithCancel(ctx)
	results := make(chan nbdRaceResult)
	live, started := 0, 0
	defer func() {
		// Attempts still running are canceled (that ends them at once); close what they bring.
		cancel()
		for ; live > 0; live-- {
			if res := <-results; res.conn != nil {
				res.conn.Close()
			}
		}
	}()
	start := time.Now()
	delay := r.backoffMin
	next := time.Now() // when the next attempt may start
	var launched time.Time
	var last error
	for {
		if live < r.maxLive && !time.Now().Before(next) {
			started++
			live++
			n := started
			if live > 1 && r.logf != nil { // the others are slow, not refused: say so
				r.logf("%s: no answer yet: attempt %d on a new connection (%d running, %s so far%s)", r.what, n, live, time.Since(start).Round(100*time.Millisecond), leftNote(ctx))
			}
			go r.one(rctx, n, results)
			launched = time.Now()
			next = launched.Add(r.stagger)
		}
		var tick <-chan time.Time
		var t *time.Timer
		if live < r.maxLive {
			t = time.NewTimer(max(time.Until(next), 0))
			tick = t.C
		}
		var res nbdRaceResult
		got := false
		select {
		case <-ctx.Done():
		case <-tick:
		case res = <-results:
			got = true
		}
		if t != nil {
			t.Stop()
		}
		switch {
		case got:
			live--
			if res.err == nil {
				return res.conn, res.exp, nil
			}
			if res.final || r.firstFailureEnds && live == 0 {
				return nil, nil, res.err
			}
			if last != nil && nbdCtxOver(ctx) {
				continue // cut short by ctx: keep the last real failure
			}
			last = res.err
			if failed != nil {
				failed(res.n, res.err)
			}
			next = time.Now().Add(delay)
			if s := launched.Add(r.stagger); live > 0 && s.After(next) {
				next = s // the others still running are not late yet
			}
			delay = min(2*delay, r.backoffMax)
		case ctx.Err() != nil:
			if last == nil {
				last = ctx.Err()
			}
			return nil, nil, fmt.Errorf("%w (%s after %d attempts in %s)", last, nbdGaveUp(ctx), started, time.Since(start).Round(100*time.Millisecond))
		}
	}
}

// one is a single attempt: dial and handshake within r.attempt.
func (r *nbdRacer) one(ctx context.Context, n int, results chan<- nbdRaceResult) {
	actx, cancel := context.WithTimeout(ctx, r.attempt)
	defer cancel()
	res := nbdRaceResult{n: n}
	conn, err := r.dial(actx, "tcp", r.addr)
	if err == nil {
		res.exp, err = Handshake(actx, conn, r.export)
		if err != nil {
			conn.Close()
			res.final = !nbdRetryable(err)
		} else {
			res.conn = conn
		}
	}
	res.err = err
	results <- res
}
