package netroot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/goinit/goinit/internal/hint"
)

type aoe struct {
	t   AoETarget
	env Env
}

// NewAoE returns the attacher of an AoE root: load aoe, links up (no IP), discover, wait.
func NewAoE(t AoETarget, env Env) Attacher { return &aoe{t: t, env: env} }

func (a *aoe) String() string { return "aoe " + a.t.Name() }

func (a *aoe) Attach(ctx context.Context) (Mount, error) {
	if a.env.LoadModule != nil {
		if err := a.env.LoadModule(ctx, "aoe"); err != nil {
			return Mount{}, fmt.Errorf("attach %s: load the aoe module: %w", a, err)
		}
	}
	links, err := LinksUp(ctx, a.env.logf)
	if err != nil {
		return Mount{}, fmt.Errorf("attach %s: %w", a, err)
	}
	dev := a.env.dev("etherd/" + a.t.Name())
	start := time.Now()
	pause := 250 * time.Millisecond
	nextDiscover := time.Time{}
	announced := false
	for {
		if fi, err := os.Stat(dev); err == nil && fi.Mode()&os.ModeDevice != 0 && a.ready() {
			return Mount{Source: "/dev/etherd/" + a.t.Name()}, nil
		}
		if ctx.Err() != nil {
			return Mount{}, a.notFound(links, time.Since(start))
		}
		if time.Now().After(nextDiscover) {
			// Writing anything to the discover node broadcasts an AoE query on the interfaces
			// aoe_iflist allows (all by default).
			if err := os.WriteFile(a.env.dev("etherd/discover"), []byte("1"), 0); err != nil && !errors.Is(err, os.ErrNotExist) {
				a.env.logf("aoe: discover: %v", err)
			}
			nextDiscover = time.Now().Add(pause)
			if pause < 4*time.Second {
				pause *= 2
			}
		}
		if !announced {
			a.env.logf("aoe: looking for %s on %s%s", a.t.Name(), strings.Join(links, ", "), deadlineNote(ctx))
			announced = true
		}
		a.env.waitChange(ctx, time.Until(nextDiscover)+10*time.Millisecond)
	}
}

// ready reports whether the kernel knows the target's size (a device node can exist before).
func (a *aoe) ready() bool {
	b, err := os.ReadFile(a.env.sys("block/etherd!" + a.t.Name() + "/size"))
	if err != nil {
		// A partition lives below its disk in sysfs; the node is enough.
		return a.t.Part != ""
	}
	return strings.TrimSpace(string(b)) != "0"
}

func (a *aoe) notFound(links []string, waited time.Duration) error {
	err := fmt.Errorf("attach %s: no AoE target %s answered on %s within %s", a, a.t.Name(), strings.Join(links, ", "), waited.Round(time.Second))
	var seen []string
	if ents, e := os.ReadDir(a.env.dev("etherd")); e == nil {
		for _, d := range ents {
			if strings.HasPrefix(d.Name(), "e") {
				seen = append(seen, d.Name())
			}
		}
	}
	h := fmt.Sprintf("is vblade exporting shelf %d slot %d on this segment (vblade %d %d <iface> <image>)?", a.t.Shelf, a.t.Slot, a.t.Shelf, a.t.Slot)
	if len(seen) > 0 {
		h += " targets that did answer: " + strings.Join(seen, ", ")
	}
	return hint.Wrap(err, h)
}
