package boot

import (
	"sort"

	"github.com/goinit/goinit/netroot"
)

// KnownParams lists every command-line parameter goinit reads, for the docs check.
// <module>.<param>= is documented as a pattern and not listed.
func KnownParams() []string {
	var out []string
	for k := range settings {
		out = append(out, k)
	}
	out = append(out, netroot.Params...)
	sort.Strings(out)
	return out
}
