package netroot

import (
	"context"
	"time"
)

// progressEvery is how often a waiting attacher says it is still trying.
const progressEvery = 5 * time.Second

// progress prints "still trying" lines while an attacher retries: at the first failure, then
// every progressEvery, with the attempt number and the time left, so a console never sits
// silent while a server is slow to come up.
type progress struct {
	logf func(string, ...any)
	what string
	last time.Time
}

func newProgress(logf func(string, ...any), what string) *progress {
	return &progress{logf: logf, what: what}
}

// note reports a failed attempt when it is time to.
func (p *progress) note(ctx context.Context, attempt int, err error) {
	if p == nil || p.logf == nil || time.Since(p.last) < progressEvery {
		return
	}
	p.last = time.Now()
	p.logf("%s: not reachable yet (attempt %d%s): %v", p.what, attempt, leftNote(ctx), err)
}

// leftNote is ", 2m50s left" from ctx's deadline, or "".
func leftNote(ctx context.Context) string {
	if dl, ok := ctx.Deadline(); ok {
		return ", " + time.Until(dl).Round(time.Second).String() + " left"
	}
	return ""
}
