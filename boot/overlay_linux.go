package boot

import (
	"strings"

	"github.com/goinit/goinit/union"
)

// Where the layers of an overlaid root live. They are under /run, so they move into the booted
// system with /run: the pristine lower root at /run/goinit/lower, the writes at
// /run/goinit/rw/upper.
const (
	OverlayLower = "/run/goinit/lower"
	OverlayRW    = "/run/goinit/rw"
)

// rootTarget is where the attached root is mounted: NewRoot, or the lower layer's place.
func (b *Boot) rootTarget() string {
	if b.overlay != nil {
		return OverlayLower
	}
	return NewRoot
}

// stackOverlay puts a writable tmpfs over the read-only root (AUFS=1, rd.overlay).
func (b *Boot) stackOverlay() error {
	if b.Params.Pivot {
		b.Log.Printf("warning: goinit.pivot=1 is not supported by this build yet: switching with switch_root; the layers stay visible under /run/goinit")
	}
	b.loadFS("overlay")
	l := union.Layout{Lower: OverlayLower, RW: OverlayRW, Target: NewRoot}
	if err := union.Stack(*b.overlay, l, strings.HasPrefix(b.rootFSType, "nfs")); err != nil {
		return err
	}
	b.Log.Printf("root is writable in RAM: upper %s over %s", l.Upper(), l.Lower)
	return nil
}
