package netroot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAttacher fails (after waiting for its deadline when hang is set) or succeeds.
type fakeAttacher struct {
	name  string
	hang  bool
	ok    bool
	mu    sync.Mutex
	tries int
}

func (f *fakeAttacher) String() string { return f.name }
func (f *fakeAttacher) Attach(ctx context.Context) (Mount, error) {
	f.mu.Lock()
	f.tries++
	f.mu.Unlock()
	if f.hang {
		<-ctx.Done()
		return Mount{}, fmt.Errorf("%s: %w", f.name, ctx.Err())
	}
	if !f.ok {
		return Mount{}, errors.New(f.name + ": connection refused")
	}
	return Mount{Source: f.name}, nil
}

func TestMultiSkipsADeadServerWithinItsTryTime(t *testing.T) {
	dead := &fakeAttacher{name: "nbd 10.99.0.1:10809", hang: true}
	good := &fakeAttacher{name: "nbd 10.99.0.2:10809", ok: true}
	var logs []string
	m := &multi{list: []Attacher{dead, good}, try: 300 * time.Millisecond,
		env: Env{Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	mnt, err := m.Attach(ctx)
	if err != nil || mnt.Source != "nbd 10.99.0.2:10809" {
		t.Fatalf("Attach = %+v, %v", mnt, err)
	}
	if d := time.Since(start); d < 300*time.Millisecond || d > 2*time.Second {
		t.Fatalf("took %s; the dead server must cost its try time (300ms), not more", d)
	}
	if len(logs) == 0 || !strings.HasPrefix(logs[0], "root server nbd 10.99.0.1:10809 failed after 300ms (try limit 300ms)") {
		t.Fatalf("logs = %q", logs)
	}
	if m.String() != "nbd 10.99.0.2:10809" {
		t.Fatalf("String after attach = %q", m.String())
	}
}

func TestMultiGivesUpWithEveryError(t *testing.T) {
	a := &fakeAttacher{name: "a"}
	b := &fakeAttacher{name: "b"}
	m := &multi{list: []Attacher{a, b}, try: 50 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := m.Attach(ctx)
	if err == nil || !strings.Contains(err.Error(), "attach a | b: every root server failed: a: connection refused\nb: connection refused") {
		t.Fatalf("err = %v", err)
	}
	if a.tries < 2 {
		t.Fatalf("a was tried %d times; the list is tried again until the deadline", a.tries)
	}
}

func TestParseAlternatives(t *testing.T) {
	c := ipCmd("root=nbd:10.99.0.1:root goinit.altroot=nbd:10.99.0.2:root goinit.altroot=nbd:10.99.0.3:10810 goinit.trytime=7 goinit.rootorder=random")
	a, err := Parse(c, Env{})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := a.(*multi)
	if !ok || len(m.list) != 3 || m.try != 7*time.Second || !m.random {
		t.Fatalf("Parse = %#v", a)
	}
	if got := m.String(); got != "nbd 10.99.0.1:10809 export \"root\" | nbd 10.99.0.2:10809 export \"root\" | nbd 10.99.0.3:10810 export \"\"" {
		t.Fatalf("String = %q", got)
	}
	if len(m.order()) != 3 {
		t.Fatal("order lost an attacher")
	}
	for line, want := range map[string]string{
		"root=nbd:10.99.0.1:root goinit.altroot=":                              `cmdline: goinit.altroot="": expected another root= value for the same root, e.g. goinit.altroot=nbd:10.99.0.2:root`,
		"root=nbd:10.99.0.1:root goinit.altroot=nbd:10.99.0.2":                 `cmdline: goinit.altroot="nbd:10.99.0.2": `,
		"root=nbd:10.99.0.1:root goinit.altroot=nbd:h:r goinit.trytime=0":      `cmdline: goinit.trytime="0": expected the seconds one root server may take, e.g. goinit.trytime=10`,
		"root=nbd:10.99.0.1:root goinit.altroot=nbd:h:r goinit.rootorder=fast": `cmdline: goinit.rootorder="fast": expected given or random`,
	} {
		_, err := Parse(ipCmd(line), Env{})
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: err = %v, want prefix %s", line, err, want)
		}
	}
}
