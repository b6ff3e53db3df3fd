package modalias

import (
	"fmt"
	"sort"
)

// Closure resolves names (module names or aliases) to the sorted set of module names they
// need: the modules themselves, their dependencies and their soft dependencies (resolved
// through Lookup; a soft dependency that matches nothing is skipped), recursively. Built-in
// modules are not returned. A requested name that matches nothing is an error.
func (ix *Index) Closure(names []string) ([]string, error) {
	seen := map[string]bool{}
	var visit func(name, neededBy string) error
	visit = func(name, neededBy string) error {
		if seen[name] {
			return nil
		}
		seen[name] = true
		m, ok := ix.modules[name]
		if !ok {
			if ix.builtin[name] {
				return nil
			}
			return fmt.Errorf("module %q (needed by %s) not found in %s (not in modules.dep or modules.builtin)", name, neededBy, ix.dir)
		}
		for _, d := range m.Deps {
			if err := visit(d, fmt.Sprintf("%q", name)); err != nil {
				return err
			}
		}
		pre, post := ix.SoftDeps(name)
		for _, s := range append(pre, post...) {
			for _, r := range ix.Lookup(s) {
				// A soft dependency is optional: one that cannot be resolved is left out.
				if _, ok := ix.modules[r]; ok {
					if err := visit(r, fmt.Sprintf("%q by softdep", name)); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	for _, n := range names {
		res := ix.Lookup(n)
		if len(res) == 0 {
			return nil, fmt.Errorf("module %q not found in %s (not in modules.dep, modules.alias or modules.builtin)", n, ix.dir)
		}
		for _, r := range res {
			if err := visit(r, fmt.Sprintf("%q", n)); err != nil {
				return nil, err
			}
		}
	}
	var out []string
	for n := range seen {
		if _, ok := ix.modules[n]; ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}
