package netroot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The stall watchdog of the NBD supervisor. On a lossy link the server's TCP can sit in
// retransmission back-off for a minute or more while the kernel's nbd driver waits in the
// middle of a reply: its request timeout (goinit.nbd.timeout) does not fire then, because the
// driver holds the request's lock while it receives the reply's data and resets the timer. The
// supervisor holds a copy of the socket it handed over, so it can see what the driver cannot:
// requests in flight (/sys/block/nbdN/inflight) and no data received for nbdStallAfter. It
// then shuts the socket down; the driver reports the connection dead, the supervisor connects
// afresh, and the request timeout moves the requests in flight to the new connection.

// nbdStallAfter is how long a connection may carry no data while requests wait before the
// watchdog replaces it. TCP's back-off doubles from about a second, so a silence this long
// is four or more lost retransmissions in a row, and the next may be 16 s away.
const nbdStallAfter = 10 * time.Second

// nbdStallJudge decides from periodic looks whether a connection is stalled. A look sees the
// number of requests in flight and how long ago the socket last received data.
type nbdStallJudge struct {
	after     time.Duration
	busySince time.Time // when requests were first seen in flight; zero: none at the last look
	judgeFrom time.Time // no verdict on a silence before this
	dropped   bool      // the socket was shut down; wait for a new one
}

// newSocket starts judging a new connection at now. A replacement gets grace first: the
// requests of the old connection move over only when their kernel timeout fires.
func (j *nbdStallJudge) newSocket(now time.Time, grace time.Duration) {
	j.judgeFrom = now.Add(grace)
	j.dropped = false
}

// look reports whether the connection is stalled: requests have been in flight for at least
// j.after (counted from judgeFrom at the earliest) and nothing arrived for as long.
func (j *nbdStallJudge) look(now time.Time, inflight int, sinceData time.Duration) bool {
	if inflight <= 0 {
		j.busySince = time.Time{}
		return false
	}
	if j.busySince.IsZero() {
		j.busySince = now
	}
	if j.dropped {
		return false
	}
	from := j.busySince
	if j.judgeFrom.After(from) {
		from = j.judgeFrom
	}
	if now.Sub(from) >= j.after && sinceData >= j.after {
		j.dropped = true
		return true
	}
	return false
}

// nbdParseInflight reads /sys/block/nbdN/inflight ("reads writes") into the total.
func nbdParseInflight(s string) (int, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, fmt.Errorf("inflight %q: expected two counts", strings.TrimSpace(s))
	}
	total := 0
	for _, v := range f {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("inflight %q: expected two counts", strings.TrimSpace(s))
		}
		total += n
	}
	return total, nil
}
