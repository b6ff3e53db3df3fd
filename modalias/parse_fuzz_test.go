package modalias

import (
	"reflect"
	"testing"
)

// FuzzParseIndex feeds arbitrary modules.dep / .alias / .softdep / .builtin contents to the
// parsers. Whatever parses must survive WriteSubset and parse back to the same index, and
// matching must not panic.
func FuzzParseIndex(f *testing.F) {
	f.Add(fixtureFiles["modules.dep"], fixtureFiles["modules.alias"], fixtureFiles["modules.softdep"], fixtureFiles["modules.builtin"], "crypto-crc32c")
	f.Add("a.ko.xz: b.ko.zst\nb.ko.zst:\n", "alias x[a-c]* a\nalias *b b\n", "softdep a pre: b post: x-y\n", "c.ko\n", "xb")
	f.Add("a.ko:\r\n#c\n\n", "alias [ a\n", "softdep a\n", "", "[")
	f.Fuzz(func(t *testing.T, dep, alias, soft, builtin, query string) {
		if len(query) > 4096 {
			return // sysfs modaliases fit in a page; matching is O(len(pattern)*len(query))
		}
		files := map[string]string{depFile: dep, aliasFile: alias, softdepFile: soft, builtinFile: builtin}
		ix, err := LoadFrom("/fuzz", func(name string) ([]byte, error) { return []byte(files[name]), nil })
		if err != nil {
			return
		}
		ix.Match(query)
		ix.Lookup(query)
		_, _ = ix.Closure([]string{query})
		names := ix.Names()
		out := ix.WriteSubset(names)
		back, err := LoadFrom("/fuzz", func(name string) ([]byte, error) { return out[name], nil })
		if err != nil {
			t.Fatalf("written index does not parse: %v\n%q", err, out)
		}
		if !reflect.DeepEqual(back.Names(), names) {
			t.Fatalf("names %q became %q", names, back.Names())
		}
		for _, n := range names {
			m, _ := ix.Module(n)
			bm, _ := back.Module(n)
			if bm.Path != UncompressedPath(m.Path) || !reflect.DeepEqual(bm.Deps, m.Deps) {
				t.Fatalf("module %+v became %+v", m, bm)
			}
		}
		// Aliases of modules missing from modules.dep are not written.
		var want []string
		for _, m := range ix.Match(query) {
			if _, ok := ix.Module(m); ok {
				want = append(want, m)
			}
		}
		if got := back.Match(query); !reflect.DeepEqual(got, want) {
			t.Fatalf("Match(%q) = %q before, %q after", query, want, got)
		}
		again := back.WriteSubset(names)
		if !reflect.DeepEqual(again, out) {
			t.Fatalf("second write differs")
		}
	})
}
