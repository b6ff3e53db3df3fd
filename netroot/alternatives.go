package netroot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultTryTime is how long one root server may take before the next alternative is tried.
const DefaultTryTime = 15 * time.Second

// rootOverride is the command line with root= replaced by an alternative.
type rootOverride struct {
	Cmdline
	root string
}

func (r rootOverride) Get(key string) (string, bool) {
	if key == "root" {
		return r.root, true
	}
	return r.Cmdline.Get(key)
}

func (r rootOverride) All(key string) []string {
	if key == "root" {
		return []string{r.root}
	}
	return r.Cmdline.All(key)
}

func (r rootOverride) Has(key string) bool { return key == "root" || r.Cmdline.Has(key) }

// parseAlternatives wraps first with the goinit.altroot= alternatives of the same root:
// several read-only servers holding the same image, tried in turn, each with its own deadline.
func parseAlternatives(c Cmdline, env Env, first Attacher) (Attacher, error) {
	alts := c.All("goinit.altroot")
	if len(alts) == 0 {
		return first, nil
	}
	m := &multi{list: []Attacher{first}, try: DefaultTryTime, env: env}
	for _, alt := range alts {
		if alt == "" {
			return nil, fmt.Errorf("cmdline: goinit.altroot=\"\": expected another root= value for the same root, e.g. goinit.altroot=nbd:10.99.0.2:root")
		}
		a, err := parseOne(rootOverride{Cmdline: c, root: alt}, env)
		if err != nil {
			return nil, fmt.Errorf("cmdline: goinit.altroot=%q: %w", alt, err)
		}
		m.list = append(m.list, a)
	}
	if v, ok := c.Get("goinit.trytime"); ok {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs <= 0 || secs > 3600 {
			return nil, fmt.Errorf("cmdline: goinit.trytime=%q: expected the seconds one root server may take, e.g. goinit.trytime=10", v)
		}
		m.try = time.Duration(secs * float64(time.Second))
	}
	if v, ok := c.Get("goinit.rootorder"); ok {
		switch v {
		case "given":
		case "random":
			m.random = true
		default:
			return nil, fmt.Errorf("cmdline: goinit.rootorder=%q: expected given or random", v)
		}
	}
	return m, nil
}

// multi tries several attachers of the same root in turn until one attaches or ctx ends.
type multi struct {
	list   []Attacher
	try    time.Duration
	random bool
	env    Env
	won    Attacher
}

func (m *multi) String() string {
	if m.won != nil {
		return m.won.String()
	}
	var names []string
	for _, a := range m.list {
		names = append(names, a.String())
	}
	return strings.Join(names, " | ")
}

// order is the list in the order to try: as given, or shuffled with a seed from this machine's
// first MAC address, so every client has its own stable order and the load spreads.
func (m *multi) order() []Attacher {
	out := append([]Attacher(nil), m.list...)
	if !m.random {
		return out
	}
	r := rand.New(rand.NewSource(int64(machineSeed(m.env))))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// machineSeed hashes the first non-zero MAC under /sys/class/net.
func machineSeed(env Env) uint64 {
	h := fnv.New64a()
	ents, _ := os.ReadDir(env.sys("class/net"))
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(env.sys("class/net"), e.Name(), "address"))
		if mac := strings.TrimSpace(string(b)); err == nil && mac != "" && mac != "00:00:00:00:00:00" {
			h.Write([]byte(mac))
			break
		}
	}
	return h.Sum64()
}

func (m *multi) Attach(ctx context.Context) (Mount, error) {
	order := m.order()
	var errs []error
	for round := 1; ; round++ {
		for i, a := range order {
			if ctx.Err() != nil {
				return Mount{}, fmt.Errorf("attach %s: every root server failed: %w", m, errors.Join(errs...))
			}
			start := time.Now()
			tctx, cancel := context.WithTimeout(ctx, m.try)
			mnt, err := a.Attach(tctx)
			cancel()
			if err == nil {
				m.won = a
				if i > 0 || round > 1 {
					m.env.logf("root server %s answered (round %d)", a, round)
				}
				return mnt, nil
			}
			next := order[(i+1)%len(order)]
			m.env.logf("root server %s failed after %s (try limit %s): %v; next: %s%s",
				a, time.Since(start).Round(100*time.Millisecond), m.try, err, next, deadlineNote(ctx))
			if round == 1 {
				errs = append(errs, err)
			}
		}
	}
}
