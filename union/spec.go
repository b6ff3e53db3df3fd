// Package union stacks a writable tmpfs over the read-only root with overlayfs: the seed's
// AUFS=1 and dracut's rd.overlay. Option building is pure; the mounts are in stack_linux.go.
package union

import (
	"fmt"
	"strings"
)

// Spec is a parsed overlay request.
type Spec struct {
	Size string // tmpfs size= (e.g. "512m", "50%"); empty: the tmpfs default (half of RAM)
}

const expected = "tmpfs or tmpfs:size=<size>, e.g. rd.overlay=tmpfs:size=512m"

// ParseSpec parses boot.Params.Overlay: "tmpfs" or "tmpfs:size=<size>".
func ParseSpec(v string) (Spec, error) {
	if v == "tmpfs" {
		return Spec{}, nil
	}
	rest, ok := strings.CutPrefix(v, "tmpfs:")
	if !ok {
		return Spec{}, fmt.Errorf("overlay %q: expected %s", v, expected)
	}
	size, ok := strings.CutPrefix(rest, "size=")
	if !ok || !validSize(size) {
		return Spec{}, fmt.Errorf("overlay %q: expected %s", v, expected)
	}
	return Spec{Size: size}, nil
}

// validSize accepts what tmpfs takes for size=: digits with an optional k, m, g, t, p, e or %.
func validSize(s string) bool {
	if s == "" {
		return false
	}
	digits := strings.TrimRight(s, "kKmMgGtTpPeE%")
	if len(s)-len(digits) > 1 || digits == "" {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Layout names the directories of a stacked root. Upper and Work must be on one filesystem:
// the tmpfs mounted on Tmpfs, or (Tmpfs empty) whatever already holds them.
type Layout struct {
	Lower  string // the read-only root
	Tmpfs  string // where to mount the RW tmpfs; empty: Upper and Work are on an existing tmpfs
	Upper  string // the writes
	Work   string // overlayfs's work directory
	Target string // where the overlay is mounted (the new root)
}

// Options returns the overlay mount options. A network lower layer (NFS) gets index and xino
// off: both need file handles and inode numbers NFS cannot promise, and the kernel refuses the
// mount or warns when they are on.
func Options(l Layout, networkLower bool) string {
	o := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", l.Lower, l.Upper, l.Work)
	if networkLower {
		o += ",index=off,xino=off"
	}
	return o
}

// TmpfsOptions are the mount options of the RW tmpfs.
func TmpfsOptions(s Spec) string {
	if s.Size == "" {
		return "mode=0755"
	}
	return "mode=0755,size=" + s.Size
}
