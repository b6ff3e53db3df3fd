package modalias

import (
	"fmt"
	"slices"
	"strings"
)

// lines calls fn for every line of data that is neither blank nor a '#' comment, with the
// line's 1-based number and its text without surrounding white space. The lines are slices of
// one string made from data: no allocation per line, which matters at boot under emulation.
func lines(data []byte, fn func(n int, line string) error) error {
	text := string(data)
	for n := 1; len(text) > 0; n++ {
		var raw string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			raw, text = text[:i], text[i+1:]
		} else {
			raw, text = text, ""
		}
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' {
			continue
		}
		if err := fn(n, line); err != nil {
			return err
		}
	}
	return nil
}

// cutField returns the first white-space separated field of s and the rest after it.
func cutField(s string) (field, rest string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

func lineError(file string, n int, line, msg string) error {
	return fmt.Errorf("parse %s line %d: %s in %q", file, n, msg, line)
}

// parseDep reads modules.dep lines "path: dep-path dep-path ...". The first line for a module
// name wins, as with depmod's search order.
func (ix *Index) parseDep(file string, data []byte) error {
	return lines(data, func(n int, line string) error {
		colon := strings.IndexByte(line, ':')
		if colon < 0 {
			return lineError(file, n, line, `want "<module path>: <dependency paths>"`)
		}
		path := strings.TrimSpace(line[:colon])
		name := ModuleName(path)
		if name == "" || strings.ContainsAny(path, " \t") {
			return lineError(file, n, line, "bad module path")
		}
		if _, dup := ix.modules[name]; dup {
			return nil
		}
		depPaths := strings.Fields(line[colon+1:])
		m := &Module{Name: name, Path: path}
		for _, d := range depPaths {
			dn := ModuleName(d)
			if dn == "" {
				return lineError(file, n, line, fmt.Sprintf("bad dependency path %q", d))
			}
			m.Deps = append(m.Deps, dn)
		}
		ix.modules[name] = m
		ix.order = append(ix.order, name)
		ix.depPaths[name] = depPaths
		return nil
	})
}

// parseAlias reads modules.alias lines "alias <pattern> <module>".
func (ix *Index) parseAlias(file string, data []byte) error {
	return lines(data, func(n int, line string) error {
		kw, rest := cutField(line)
		pattern, rest := cutField(rest)
		module, rest := cutField(rest)
		if kw != "alias" || module == "" || strings.TrimSpace(rest) != "" {
			return lineError(file, n, line, `want "alias <pattern> <module>"`)
		}
		ix.addAlias(pattern, normalizeName(module))
		return nil
	})
}

func (ix *Index) addAlias(pattern, module string) {
	norm := normalizeAlias(pattern)
	prefix := literalPrefix(norm)
	i := int32(len(ix.aliases))
	ix.aliases = append(ix.aliases, aliasEntry{pattern: pattern, norm: norm, module: module, prefix: prefix})
	key := norm[:prefix]
	ix.byPrefix[key] = append(ix.byPrefix[key], i)
	if j, found := slices.BinarySearch(ix.prefixLens, prefix); !found {
		ix.prefixLens = slices.Insert(ix.prefixLens, j, prefix)
	}
}

// parseSoftdep reads modules.softdep lines "softdep <module> pre: a b post: c". As in kmod,
// names before the first "pre:" or "post:" are ignored. Several lines for one module add up.
func (ix *Index) parseSoftdep(file string, data []byte) error {
	return lines(data, func(n int, line string) error {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "softdep" {
			return lineError(file, n, line, `want "softdep <module> pre: <names> post: <names>"`)
		}
		name := normalizeName(f[1])
		sd := ix.softdeps[name]
		if sd == nil {
			sd = &softdep{}
		}
		var list *[]string
		for _, tok := range f[2:] {
			switch tok {
			case "pre:":
				list = &sd.pre
			case "post:":
				list = &sd.post
			default:
				if list != nil {
					*list = append(*list, tok)
				}
			}
		}
		if len(sd.pre)+len(sd.post) > 0 {
			ix.softdeps[name] = sd
		}
		return nil
	})
}

// parseBuiltin reads modules.builtin: one module path per line.
func (ix *Index) parseBuiltin(file string, data []byte) error {
	return lines(data, func(n int, line string) error {
		name := ModuleName(line)
		if name == "" || strings.ContainsAny(line, " \t") {
			return lineError(file, n, line, "bad module path")
		}
		ix.builtin[name] = true
		ix.builtinLines = append(ix.builtinLines, line)
		return nil
	})
}
