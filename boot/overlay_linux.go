package boot

import (
	"strings"

	"github.com/goinit/goinit/union"
)

// Where the layers of an overlaid root live.
//
// switch_root mode (the default): under /run, so they move into the booted system with /run:
// the pristine lower root at /run/goinit/lower, the writes at /run/goinit/rw/upper. The
// initramfs itself is freed.
//
// pivot mode (goinit.pivot=1, the seed's second mode): goinit first copies the initramfs into a
// tmpfs and runs from there; the lower root is mounted at /mnt and the writes go to /.rw of that
// tmpfs; pivot_root keeps the whole tmpfs visible at /initrd in the booted system, so
// /initrd/mnt is the lower root and /initrd/.rw the upper layer. The copy of the initramfs
// stays in memory.
const (
	OverlayLower = "/run/goinit/lower"
	OverlayRW    = "/run/goinit/rw"
	PivotLower   = "/mnt"
	PivotUpper   = "/.rw"
	PivotWork    = "/.work"
	PivotOld     = "/initrd"
)

// layout is where the overlay's layers go in the current mode.
func (b *Boot) layout() union.Layout {
	if b.Params.Pivot {
		return union.Layout{Lower: PivotLower, Upper: PivotUpper, Work: PivotWork, Target: NewRoot}
	}
	return union.Layout{Lower: OverlayLower, Tmpfs: OverlayRW, Upper: OverlayRW + "/upper", Work: OverlayRW + "/work", Target: NewRoot}
}

// rootTarget is where the attached root is mounted: NewRoot, or the lower layer's place.
func (b *Boot) rootTarget() string {
	if b.overlay != nil {
		return b.layout().Lower
	}
	return NewRoot
}

// stackOverlay puts a writable tmpfs over the read-only root (AUFS=1, rd.overlay).
func (b *Boot) stackOverlay() error {
	b.loadFS("overlay")
	l := b.layout()
	if err := union.Stack(*b.overlay, l, strings.HasPrefix(b.rootFSType, "nfs")); err != nil {
		return err
	}
	b.Log.Printf("root is writable in RAM: upper %s over %s", l.Upper, l.Lower)
	return nil
}
