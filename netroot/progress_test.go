package netroot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestProgressSpeaksFirstThenEveryFewSeconds(t *testing.T) {
	var lines []string
	p := newProgress(func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }, "nbd 10.99.0.1:10809")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	p.note(ctx, 1, errors.New("connection refused"))
	p.note(ctx, 2, errors.New("connection refused"))
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "nbd 10.99.0.1:10809: not reachable yet (attempt 1, 1m30s left): connection refused") {
		t.Fatalf("lines = %q", lines)
	}
	p.last = time.Now().Add(-progressEvery)
	p.note(ctx, 3, errors.New("no route to host"))
	if len(lines) != 2 || !strings.Contains(lines[1], "attempt 3") {
		t.Fatalf("lines = %q", lines)
	}
	var silent *progress
	silent.note(ctx, 1, errors.New("x")) // a nil progress is quiet, not a panic
}
