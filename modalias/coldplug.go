package modalias

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/goinit/goinit/internal/safego"
)

// Device is a sysfs device with its modalias.
type Device struct {
	Path     string // e.g. /sys/bus/pci/devices/0000:00:03.0
	Modalias string
}

// ColdplugRound is what one pass over sysfs found and did.
type ColdplugRound struct {
	Devices  int           // devices with a modalias
	New      int           // modaliases first seen in this round that a module matches
	Loaded   []string      // modules inserted in this round
	Duration time.Duration // scan plus loading
}

// ColdplugReport is the result of Coldplug.
type ColdplugReport struct {
	Modaliases []string // distinct modaliases seen, in the order first seen
	Loaded     []string // modules inserted, in order of completion
	// Unmatched lists PCI and virtio devices without a driver whose modalias no module in the
	// image matches: the usual reason a netboot finds no NIC or disk. Sorted by path.
	Unmatched []Device
	Errors    []error // modules that failed to load (not fatal to coldplug)
	Rounds    []ColdplugRound
	// Deferred lists the devices the skip function passed over (e.g. disk controllers when
	// the root is on the network), sorted by path.
	Deferred []Device
}

// Coldplug bounds.
const (
	coldplugWorkers   = 8
	coldplugMaxRounds = 16
)

// Coldplug loads the modules for every device under <sysfs>/bus/*/devices/*/modalias. It
// repeats the scan until a round finds no new modalias, because loading a driver can create
// devices (virtio_pci creates the virtio devices that virtio_net and virtio_blk bind to).
// Loading runs in parallel; load failures are collected in the report, not returned. The
// error is for an unreadable sysfs or a cancelled ctx; the report is valid in both cases.
func Coldplug(ctx context.Context, l *Loader, sysfs string) (*ColdplugReport, error) {
	return ColdplugSkipping(ctx, l, sysfs, nil)
}

// ColdplugSkipping is Coldplug that loads nothing for the modaliases skip reports true for
// (nil skips none); they are listed in the report's Deferred.
func ColdplugSkipping(ctx context.Context, l *Loader, sysfs string, skip func(modalias string) bool) (*ColdplugReport, error) {
	rep := &ColdplugReport{}
	deferred := map[string]Device{}
	seen := map[string]bool{}    // modaliases seen in any round
	matches := map[string]bool{} // modalias -> some module matches it
	unmatched := map[string]Device{}
	var mu sync.Mutex // guards rep.Loaded and rep.Errors while workers run
	for round := 1; ; round++ {
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("coldplug %s: %w", sysfs, err)
		}
		if round > coldplugMaxRounds {
			l.logf("modalias: coldplug: stopping after %d rounds; devices keep appearing", coldplugMaxRounds)
			break
		}
		start := time.Now()
		devs, err := scanModaliases(sysfs)
		if err != nil {
			return rep, err
		}
		// The modaliases new in this round that some module matches: loading for them may
		// create more devices. A round without any ends the loop.
		var todo []string
		for _, d := range devs {
			if skip != nil && skip(d.Modalias) {
				deferred[d.Path] = d
				continue
			}
			if !seen[d.Modalias] {
				seen[d.Modalias] = true
				rep.Modaliases = append(rep.Modaliases, d.Modalias)
				matches[d.Modalias] = len(l.Index.Match(d.Modalias)) > 0
				if matches[d.Modalias] {
					todo = append(todo, d.Modalias)
				}
			}
			if !matches[d.Modalias] && needsDriver(d) {
				unmatched[d.Path] = d
			}
		}
		if len(todo) == 0 {
			rep.Rounds = append(rep.Rounds, ColdplugRound{Devices: len(devs), Duration: time.Since(start)})
			break
		}
		before := len(rep.Loaded)
		runBounded(ctx, todo, coldplugWorkers, l.logf, func(alias string) {
			loaded, err := l.Load(ctx, alias)
			mu.Lock()
			defer mu.Unlock()
			rep.Loaded = append(rep.Loaded, loaded...)
			if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
				rep.Errors = append(rep.Errors, fmt.Errorf("modalias %s: %w", alias, err))
			}
		})
		r := ColdplugRound{
			Devices:  len(devs),
			New:      len(todo),
			Loaded:   append([]string(nil), rep.Loaded[before:]...),
			Duration: time.Since(start),
		}
		rep.Rounds = append(rep.Rounds, r)
		l.logf("modalias: coldplug round %d: %d devices, %d new modaliases, loaded %s in %v",
			round, r.Devices, r.New, strings.Join(r.Loaded, " "), r.Duration.Round(time.Millisecond))
	}
	for _, d := range unmatched {
		rep.Unmatched = append(rep.Unmatched, d)
	}
	sort.Slice(rep.Unmatched, func(i, j int) bool { return rep.Unmatched[i].Path < rep.Unmatched[j].Path })
	for _, d := range deferred {
		rep.Deferred = append(rep.Deferred, d)
	}
	sort.Slice(rep.Deferred, func(i, j int) bool { return rep.Deferred[i].Path < rep.Deferred[j].Path })
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("coldplug %s: %w", sysfs, err)
	}
	return rep, nil
}

// needsDriver reports whether an unmatched device is worth reporting: a PCI device other than
// a bridge (class 06: host, ISA and PCI bridges have no driver module or a built-in one), or a
// virtio device, that no driver is bound to.
func needsDriver(d Device) bool {
	switch {
	case strings.HasPrefix(d.Modalias, "pci:"):
		if class, _, _ := pciClass(d.Modalias); class == "06" {
			return false
		}
	case strings.HasPrefix(d.Modalias, "virtio:"):
	default:
		return false
	}
	_, err := os.Lstat(filepath.Join(d.Path, "driver"))
	return err != nil
}

// scanModaliases returns the devices under <sysfs>/bus/*/devices/ that have a modalias,
// sorted by path.
func scanModaliases(sysfs string) ([]Device, error) {
	busDir := filepath.Join(sysfs, "bus")
	buses, err := os.ReadDir(busDir)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("coldplug: read %s: %w", busDir, err)
	}
	var devs []Device
	for _, b := range buses {
		devDir := filepath.Join(busDir, b.Name(), "devices")
		entries, err := os.ReadDir(devDir)
		if err != nil {
			continue // a bus without devices directory
		}
		for _, e := range entries {
			p := filepath.Join(devDir, e.Name())
			data, err := os.ReadFile(filepath.Join(p, "modalias"))
			if err != nil {
				continue // no modalias: nothing to load for it
			}
			if a := strings.TrimSpace(string(data)); a != "" {
				devs = append(devs, Device{Path: p, Modalias: a})
			}
		}
	}
	sort.Slice(devs, func(i, j int) bool { return devs[i].Path < devs[j].Path })
	return devs, nil
}

// runBounded calls fn for every item with at most n calls running at a time, and returns
// when all calls have returned. Items not started when ctx ends are skipped. A panic in fn is
// reported with report and ends only that call.
func runBounded(ctx context.Context, items []string, n int, report func(string, ...any), fn func(string)) {
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for _, it := range items {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			safego.Do("coldplug "+it, report, func() { fn(it) })
		}()
	}
	wg.Wait()
}
