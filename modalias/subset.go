package modalias

import (
	"bytes"
	"sort"
	"strings"
)

// WriteSubset returns the contents of modules.dep, modules.alias, modules.softdep and
// modules.builtin (keyed by those file names) for an image that holds only the named modules
// (names that are not loadable modules of the index are ignored; pass a Closure so that every
// dependency is included). Module paths are rewritten to uncompressed names (".ko.xz",
// ".ko.zst", ".ko.gz" -> ".ko"); aliases and softdep lines are kept for included modules only;
// modules.builtin is kept whole. The output depends only on the index and the set of names.
func (ix *Index) WriteSubset(names []string) map[string][]byte {
	return ix.WriteSubsetAs(names, "")
}

// WriteSubsetAs is WriteSubset for an image whose module files carry the suffix ext (such as
// ".zst") after ".ko": modules.dep names them so.
func (ix *Index) WriteSubsetAs(names []string, ext string) map[string][]byte {
	in := map[string]bool{}
	for _, n := range names {
		n = normalizeName(n)
		if _, ok := ix.modules[n]; ok {
			in[n] = true
		}
	}

	var dep bytes.Buffer
	for _, n := range ix.order {
		if !in[n] {
			continue
		}
		dep.WriteString(UncompressedPath(ix.modules[n].Path) + ext)
		dep.WriteByte(':')
		for _, d := range ix.depPaths[n] {
			dep.WriteByte(' ')
			dep.WriteString(UncompressedPath(d) + ext)
		}
		dep.WriteByte('\n')
	}

	var alias bytes.Buffer
	alias.WriteString("# Aliases extracted from modules themselves.\n")
	for _, a := range ix.aliases {
		if in[a.module] {
			alias.WriteString("alias " + a.pattern + " " + a.module + "\n")
		}
	}

	var soft bytes.Buffer
	soft.WriteString("# Soft dependencies extracted from modules themselves.\n")
	var sdNames []string
	for n := range ix.softdeps {
		if in[n] {
			sdNames = append(sdNames, n)
		}
	}
	sort.Strings(sdNames)
	for _, n := range sdNames {
		sd := ix.softdeps[n]
		soft.WriteString("softdep " + n)
		if len(sd.pre) > 0 {
			soft.WriteString(" pre: " + strings.Join(sd.pre, " "))
		}
		if len(sd.post) > 0 {
			soft.WriteString(" post: " + strings.Join(sd.post, " "))
		}
		soft.WriteByte('\n')
	}

	var builtin bytes.Buffer
	for _, l := range ix.builtinLines {
		builtin.WriteString(l + "\n")
	}

	return map[string][]byte{
		depFile:     dep.Bytes(),
		aliasFile:   alias.Bytes(),
		softdepFile: soft.Bytes(),
		builtinFile: builtin.Bytes(),
	}
}

// UncompressedPath returns a module path with its compression suffix removed:
// "kernel/fs/ext4/ext4.ko.xz" -> "kernel/fs/ext4/ext4.ko". Other paths are returned as they are.
func UncompressedPath(path string) string {
	for _, ext := range []string{".xz", ".zst", ".gz"} {
		if strings.HasSuffix(path, ".ko"+ext) {
			return strings.TrimSuffix(path, ext)
		}
	}
	return path
}
