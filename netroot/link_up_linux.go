package netroot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goinit/goinit/internal/safego"
)

// DefaultUpTimeout bounds Up when its context has no deadline.
const DefaultUpTimeout = 120 * time.Second

// Up configures the network the plan asks for: lo up, the links each ip= entry may use up, then
// per entry, as soon as a link has carrier, the static address or DHCP. A device-less DHCP entry
// runs DHCP on every candidate link with carrier in parallel and keeps the first usable lease.
// Everything happens within ctx's deadline (DefaultUpTimeout when it has none) and is driven by
// the kernel's link events, not by sleeps. Every entry must be configured; the first entry's
// lease is the primary one (default route, host name). ip=off gives an empty state.
func Up(ctx context.Context, plan *NetPlan, logf func(string, ...any)) (*NetState, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	st := &NetState{}
	if plan == nil || plan.Off || len(plan.Configs) == 0 {
		if plan != nil {
			st.Nameservers = plan.Nameservers
		}
		return st, nil
	}
	st.Nameservers = plan.Nameservers
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultUpTimeout)
		defer cancel()
	}
	if err := loUp(); err != nil {
		return nil, err
	}
	w, err := watchLinks(logf)
	if err != nil {
		return nil, err
	}
	defer w.Close()

	r := &upRun{
		logf:    logf,
		start:   time.Now(),
		links:   map[int]*linkInfo{},
		triedUp: map[int]bool{},
		workers: map[workerKey]context.CancelFunc{},
		results: make(chan dhcpResult),
		entropy: make(chan struct{}),
	}
	r.slots, r.claimed = slotsFor(plan)
	r.leases = make([]*Lease, len(r.slots))
	r.tallies = make([]map[string]dhcpTally, len(r.slots))
	for i := range r.tallies {
		r.tallies[i] = map[string]dhcpTally{}
	}
	if r.anyDHCP() {
		go func() {
			defer close(r.entropy)
			safego.Do("entropy", logf, func() { waitEntropy(logf) })
		}()
	} else {
		close(r.entropy)
	}
	wctx, cancelWorkers := context.WithCancel(ctx)
	defer func() {
		cancelWorkers()
		for r.running > 0 {
			r.collect(<-r.results)
		}
	}()
	if err := r.loop(ctx, wctx, w); err != nil {
		return nil, err
	}
	cancelWorkers()
	for r.running > 0 {
		r.collect(<-r.results)
	}
	for i, l := range r.leases {
		if err := applyLease(l, i == 0, logf); err != nil {
			return nil, err
		}
		how := "statically"
		if l.Proto == ProtoDHCP {
			how = "by DHCP"
		}
		logf("network: %s configured %s: %s%s", l.Interface, how, l.Prefix(), gwText(l))
		st.Leases = append(st.Leases, l)
	}
	return st, nil
}

type workerKey struct{ slot, link int }

// upRun is the state of one Up call.
type upRun struct {
	logf    func(string, ...any)
	start   time.Time
	slots   []*slot
	claimed map[string]bool
	links   map[int]*linkInfo // by index
	triedUp map[int]bool
	leases  []*Lease // per slot, nil until configured
	tallies []map[string]dhcpTally
	workers map[workerKey]context.CancelFunc
	running int
	results chan dhcpResult
	entropy chan struct{}
}

func (r *upRun) anyDHCP() bool {
	for _, s := range r.slots {
		if s.cfg.DHCP {
			return true
		}
	}
	return false
}

func (r *upRun) done() bool {
	for _, l := range r.leases {
		if l == nil {
			return false
		}
	}
	return true
}

// loop handles link events and worker results until every slot is configured or ctx ends.
func (r *upRun) loop(ctx, wctx context.Context, w *linkWatch) error {
	for !r.done() {
		select {
		case u, ok := <-w.C:
			if !ok {
				return errors.New("network: the kernel's link updates ended")
			}
			l, deleted := linkFromUpdate(u, r.links[int(u.Attrs().Index)])
			if deleted {
				delete(r.links, l.Index)
				continue
			}
			r.links[l.Index] = l
			r.react(wctx, l)
		case res := <-r.results:
			r.collect(res)
		case <-ctx.Done():
			return r.failure()
		}
	}
	return nil
}

// react brings a wanted link up and starts its slot's work once it has carrier.
func (r *upRun) react(wctx context.Context, l *linkInfo) {
	for i, s := range r.slots {
		if r.leases[i] != nil || !s.wants(l, r.claimed) {
			continue
		}
		if !l.AdminUp && !r.triedUp[l.Index] {
			r.triedUp[l.Index] = true
			if err := setUp(l.Index); err != nil {
				l.UpErr = err
				r.logf("network: set %s up: %v", l.Name, err)
			}
		}
		if !l.AdminUp || !l.Carrier {
			continue
		}
		if !s.cfg.DHCP {
			r.leases[i] = staticLease(s.cfg, l.Name, l.MAC.String())
			r.leases[i].Acquired, r.leases[i].Uptime = time.Now(), uptime()
			r.logf("network: %s has carrier after %s; static %s", l.Name, r.since(), s.label())
			continue
		}
		key := workerKey{i, l.Index}
		if _, started := r.workers[key]; started {
			continue
		}
		r.logf("network: %s has carrier after %s; DHCP for %s", l.Name, r.since(), s.label())
		ctx, cancel := context.WithCancel(wctx)
		r.workers[key] = cancel
		r.running++
		go func(l linkInfo, cfg IPConfig) {
			var lease *Lease
			var t dhcpTally
			if err := safego.Do("dhcp "+l.Name, r.logf, func() { lease, t = dhcpLink(ctx, l, cfg, r.entropy, r.logf) }); err != nil {
				lease, t = nil, dhcpTally{Link: l.Name, Err: err}
			}
			r.results <- dhcpResult{slot: i, tally: t, lease: lease}
		}(*l, s.cfg)
	}
}

// collect records a worker's end; the first lease of a slot wins and stops its other workers.
func (r *upRun) collect(res dhcpResult) {
	r.running--
	r.tallies[res.slot][res.tally.Link] = res.tally
	if res.lease == nil || r.leases[res.slot] != nil {
		return
	}
	r.leases[res.slot] = res.lease
	r.logf("dhcp %s: lease %s from %s after %s and %d %s", res.lease.Interface, res.lease.Prefix(),
		res.lease.ServerID, r.since(), res.tally.Tries, plural(res.tally.Tries, "try", "tries"))
	for k, cancel := range r.workers {
		if k.slot == res.slot {
			cancel()
		}
	}
}

// failure explains every slot left without a configuration, after the workers have ended.
func (r *upRun) failure() error {
	for _, cancel := range r.workers {
		cancel()
	}
	for r.running > 0 {
		r.collect(<-r.results)
	}
	var links []*linkInfo
	for _, l := range r.links {
		links = append(links, l)
	}
	var errs []error
	for i, s := range r.slots {
		if r.leases[i] != nil {
			continue
		}
		var ts []dhcpTally
		for _, l := range sortedNames(r.tallies[i]) {
			ts = append(ts, r.tallies[i][l])
		}
		errs = append(errs, slotFailure(s, links, r.claimed, ts, time.Since(r.start)))
	}
	return errors.Join(errs...)
}

func (r *upRun) since() time.Duration {
	return time.Since(r.start).Round(time.Millisecond)
}

func gwText(l *Lease) string {
	if gw := l.DefaultGateway(); gw.IsValid() {
		return fmt.Sprintf(" via %s", gw)
	}
	return ""
}
