package modalias

import (
	"slices"
	"strings"
)

// Match returns the names of the modules whose modules.alias pattern matches the modalias
// string alias (fnmatch(3) semantics), without duplicates, in modules.alias order.
//
// Patterns are indexed by their literal prefix (up to the first wildcard), so a lookup costs
// one map probe per distinct prefix length (a few dozen in a real modules.alias) plus the
// fnmatch calls for the patterns whose prefix matches, not a scan of every alias.
func (ix *Index) Match(alias string) []string {
	q := normalizeAlias(alias)
	var hits []int32
	for _, i := range ix.prefixLens {
		if i > len(q) {
			break
		}
		for _, idx := range ix.byPrefix[q[:i]] {
			e := &ix.aliases[idx]
			if fnmatch(e.norm[e.prefix:], q[i:]) {
				hits = append(hits, idx)
			}
		}
	}
	if len(hits) == 0 {
		return nil
	}
	slices.Sort(hits)
	var names []string
	seen := map[string]bool{}
	for _, idx := range hits {
		m := ix.aliases[idx].module
		if !seen[m] {
			seen[m] = true
			names = append(names, m)
		}
	}
	return names
}

// Lookup resolves a module name or an alias: an exact module name (after normalization) or a
// built-in module returns itself, anything else goes through Match.
func (ix *Index) Lookup(nameOrAlias string) []string {
	n := normalizeName(nameOrAlias)
	if _, ok := ix.modules[n]; ok || ix.builtin[n] {
		return []string{n}
	}
	return ix.Match(nameOrAlias)
}

// normalizeAlias replaces '-' with '_' outside bracket expressions, as kmod's alias_normalize
// does for both modules.alias patterns and the aliases looked up. An unterminated bracket is
// copied as it is.
func normalizeAlias(s string) string {
	if strings.IndexByte(s, '-') < 0 {
		return s
	}
	b := []byte(s)
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '-':
			b[i] = '_'
		case '[':
			end := strings.IndexByte(s[i+1:], ']')
			if end < 0 {
				return string(b)
			}
			i += 1 + end
		}
	}
	return string(b)
}

// literalPrefix returns the length of the part of pattern p before its first wildcard or
// quoting character.
func literalPrefix(p string) int {
	if i := strings.IndexAny(p, `*?[\`); i >= 0 {
		return i
	}
	return len(p)
}
