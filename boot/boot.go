// Package boot is goinit's boot sequence: the kernel command line, the step table, the
// timeline, switching into the real root, the failure path and the debug shell.
package boot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/goinit/goinit/internal/console"
	"github.com/goinit/goinit/internal/hint"
	"github.com/goinit/goinit/modalias"
	"github.com/goinit/goinit/netroot"
	"github.com/goinit/goinit/union"
)

// NewRoot is where the real root is mounted before the switch.
const NewRoot = "/newroot"

// TimelinePath is where the booted system finds the initramfs timeline.
const TimelinePath = "/run/goinit/timeline.json"

// Boot holds the state of one boot.
type Boot struct {
	Version string
	Log     *console.Logger
	TL      *Timeline
	Params  *Params
	Kernel  string // uname -r

	index    *modalias.Index
	loader   *modalias.Loader
	coldplug *modalias.ColdplugReport
	// skipModalias, when set, names devices coldplug and hotplug leave alone: the disk
	// controllers when every root candidate is on the network.
	skipModalias func(modalias string) bool
	devs         *devWatch
	stopDevs     context.CancelFunc
	oldProbe     string // /proc/sys/kernel/modprobe before goinit changed it

	attacher   netroot.Attacher
	netPlan    *netroot.NetPlan  // nil: no network needed
	net        *netroot.NetState // after the network step
	mount      netroot.Mount
	overlay    *union.Spec // AUFS=1 / rd.overlay
	rootFSType string
	initPath   string
	current    string // the step in progress, for the failure path
}

// StepError is a failure of one named step.
type StepError struct {
	Step  string
	Stage string
	Err   error
}

func (e *StepError) Error() string { return e.Step + ": " + e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// step runs fn as the named step of a stage, records it in the timeline and logs it.
func (b *Boot) step(stage, name string, fn func() error) error {
	b.current = name
	b.Log.Debugf("start: %s", name)
	began := time.Now()
	err := fn()
	e := b.TL.Add(name, stage, began, err)
	if err != nil {
		return &StepError{Step: name, Stage: stage, Err: err}
	}
	b.Log.Printf("%s (%.3fs)", name, e.Duration.Seconds())
	return nil
}

// Run walks the boot steps. It returns only on failure: success ends in exec of the real init.
func (b *Boot) Run() error {
	always := func() bool { return true }
	steps := []struct {
		stage    string
		name     func() string
		fn       func() error
		when     func() bool
		breakNow string // rd.break stage to stop at before this step
	}{
		{"setup", fixed("set the clock from the RTC"), b.setClock, always, ""},
		{"setup", fixed("copy the initramfs into a tmpfs (goinit.pivot=1)"), b.enterTmpfs, func() bool { return b.Params.Pivot }, ""},
		{"setup", fixed("load the module index"), b.loadIndex, always, ""},
		{"coldplug", fixed("coldplug: load drivers for present devices"), b.runColdplug, always, ""},
		{"network", func() string { return "network: " + b.netPlan.String() }, b.network, func() bool { return b.netPlan != nil }, "pre-network"},
		{"attach", func() string { return "attach " + b.attacher.String() }, b.attachRoot, always, "pre-mount"},
		{"mount", func() string { return "mount the root on " + b.rootTarget() }, b.mountRoot, always, ""},
		{"overlay", fixed("stack a tmpfs overlay on the root at " + NewRoot), b.stackOverlay, func() bool { return b.overlay != nil }, "pre-overlay"},
		{"switch", fixed("find init in the root"), b.findInit, always, ""},
	}
	for _, s := range steps {
		if s.breakNow != "" {
			if err := b.breakpoint(s.breakNow); err != nil {
				return err
			}
		}
		if !s.when() {
			continue
		}
		if err := b.step(s.stage, s.name(), s.fn); err != nil {
			return err
		}
	}
	if err := b.breakpoint("pre-switch"); err != nil {
		return err
	}
	if b.Params.Pivot {
		return b.pivotRoot()
	}
	return b.switchRoot()
}

func fixed(name string) func() string { return func() string { return name } }

// Prepare parses the command line and picks the root attacher; it is the first step.
func (b *Boot) Prepare(cmdline string) error {
	return b.step("setup", "parse /proc/cmdline", func() error {
		p, err := ParseCmdline(cmdline)
		if p != nil {
			b.Params = p
			b.Log.SetDebug(p.Debug)
		}
		if err != nil {
			return err
		}
		// aoeroot= and nbdroot= name a root without root= (CMDLINE.md).
		if p.Root == "" && !p.Has("aoeroot") && !p.Has("nbdroot") {
			return fmt.Errorf("cmdline: no root= parameter: expected root=/dev/<name>, UUID=<uuid>, LABEL=<label>, PARTUUID=<uuid>, PARTLABEL=<label> or a network root (see docs/cmdline.md)")
		}
		a, err := netroot.Parse(p, b.netEnv())
		if err != nil {
			return err
		}
		b.attacher = a
		if p.Overlay != "" {
			spec, err := union.ParseSpec(p.Overlay)
			if err != nil {
				return err
			}
			b.overlay = &spec
		}
		if netroot.RootOnNetwork(p) {
			b.skipModalias = modalias.StorageModalias
		}
		if netroot.NeedsNetwork(p) {
			plan, err := netroot.ParseNetwork(p)
			if err != nil {
				return err
			}
			b.netPlan = plan
		}
		return nil
	})
}

func (b *Boot) netEnv() netroot.Env {
	return netroot.Env{
		DevChanged: b.devs.Changed,
		Network:    func() *netroot.NetState { return b.net },
		LoadModule: func(ctx context.Context, name string) error {
			if b.loader == nil {
				return fmt.Errorf("no module index loaded")
			}
			_, err := b.loader.Load(ctx, name)
			var missing *modalias.NotInImageError
			if errors.As(err, &missing) {
				return hint.Wrap(err, RebuildHint(name))
			}
			return err
		},
		Logf: b.Log.Printf,
	}
}

// attachRoot waits for the root source within rd.retry.
func (b *Boot) attachRoot() error {
	ctx, cancel := context.WithTimeout(context.Background(), b.Params.Retry)
	defer cancel()
	m, err := b.attacher.Attach(ctx)
	if err != nil {
		return err
	}
	b.mount = m
	b.startSupervisors()
	return nil
}

func (b *Boot) findInit() error {
	p, err := FindInit(NewRoot, b.Params.Init)
	if err != nil {
		return err
	}
	b.initPath = p
	return nil
}

// Summary is the one line printed before switching.
func (b *Boot) Summary() string {
	order, sum := b.TL.StageTotals()
	var parts []string
	for _, s := range order {
		parts = append(parts, fmt.Sprintf("%s %.2fs", s, sum[s].Seconds()))
	}
	return strings.Join(parts, ", ")
}

// uptime reads the kernel's uptime in seconds (0 when /proc is not there yet).
func uptime() float64 {
	b, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return 0
	}
	var up float64
	fmt.Sscanf(string(b), "%f", &up)
	return up
}
