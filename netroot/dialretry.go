package netroot

import (
	"context"
	"fmt"
	"net"
	"time"
)

// dialBackoff connects to addr, retrying with exponential back-off (from min, doubling up to
// max) until ctx ends. failed is called with each real failure (not the one ctx cut short).
// The final error is the last dial error with how it ended: "… (gave up at the deadline after
// 6 attempts in 7.9s)".
func dialBackoff(ctx context.Context, dial func(ctx context.Context, network, addr string) (net.Conn, error),
	addr string, min, max time.Duration, failed func(attempt int, err error)) (net.Conn, error) {
	start := time.Now()
	delay := min
	var last error
	for attempt := 1; ; attempt++ {
		dctx, cancel := context.WithTimeout(ctx, nbdDialTimeout)
		conn, err := dial(dctx, "tcp", addr)
		cancel()
		if err == nil {
			return conn, nil
		}
		if last == nil || !nbdCtxOver(ctx) {
			last = err // keep the last real failure, not the one ctx cut short
			if failed != nil {
				failed(attempt, err)
			}
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%w (%s after %d attempts in %s)", last, nbdGaveUp(ctx), attempt, time.Since(start).Round(100*time.Millisecond))
		case <-t.C:
		}
		delay = minDur(2*delay, max)
	}
}

func minDur(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}
