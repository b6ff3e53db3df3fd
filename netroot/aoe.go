package netroot

import (
	"fmt"
	"strconv"
	"strings"
)

const aoeExpected = "e<shelf>.<slot>, e.g. aoeroot=e7.1, root=aoe:e7.1 or root=/dev/etherd/e7.1"

// AoETarget is an ATA over Ethernet target: shelf (major) and slot (minor) as vblade exports them.
type AoETarget struct {
	Shelf int // 0-65534
	Slot  int // 0-254
	Part  string
}

// Name is the device name under /dev/etherd, e.g. "e7.1" or "e7.1p1".
func (t AoETarget) Name() string {
	n := fmt.Sprintf("e%d.%d", t.Shelf, t.Slot)
	if t.Part != "" {
		n += "p" + t.Part
	}
	return n
}

// ParseAoETarget parses "e<shelf>.<slot>[p<part>]".
func ParseAoETarget(v string) (AoETarget, error) {
	rest, ok := strings.CutPrefix(v, "e")
	if !ok {
		return AoETarget{}, fmt.Errorf("%q does not start with e", v)
	}
	shelf, slot, ok := strings.Cut(rest, ".")
	if !ok {
		return AoETarget{}, fmt.Errorf("%q has no . between shelf and slot", v)
	}
	var t AoETarget
	if s, p, ok := strings.Cut(slot, "p"); ok {
		slot = s
		if n, err := strconv.Atoi(p); err != nil || n < 1 {
			return AoETarget{}, fmt.Errorf("partition %q is not a number from 1", p)
		}
		t.Part = p
	}
	var err error
	if t.Shelf, err = strconv.Atoi(shelf); err != nil || t.Shelf < 0 || t.Shelf > 65534 || !allDigits(shelf) {
		return AoETarget{}, fmt.Errorf("shelf %q is not a number from 0 to 65534", shelf)
	}
	if t.Slot, err = strconv.Atoi(slot); err != nil || t.Slot < 0 || t.Slot > 254 || !allDigits(slot) {
		return AoETarget{}, fmt.Errorf("slot %q is not a number from 0 to 254", slot)
	}
	return t, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ParseAoE reads an AoE root from aoeroot=, root=aoe: or root=/dev/etherd/. ok is false when
// the command line names no AoE root.
func ParseAoE(c Cmdline) (t AoETarget, ok bool, err error) {
	param, v := "", ""
	root, _ := c.Get("root")
	switch {
	case strings.HasPrefix(root, "aoe:"):
		param, v = "root", strings.TrimPrefix(root, "aoe:")
	case strings.HasPrefix(root, "/dev/etherd/"):
		param, v = "root", strings.TrimPrefix(root, "/dev/etherd/")
	default:
		if a, has := c.Get("aoeroot"); has {
			param, v = "aoeroot", a
		} else {
			return AoETarget{}, false, nil
		}
	}
	t, err = ParseAoETarget(v)
	if err != nil {
		val := v
		if param == "root" {
			val = root
		}
		return AoETarget{}, true, fmt.Errorf("cmdline: %s=%q: %v: expected %s", param, val, err, aoeExpected)
	}
	return t, true, nil
}
