package modalias

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Module is one loadable module from modules.dep.
type Module struct {
	Name string   // normalized name ('-' replaced by '_')
	Path string   // relative to the index directory, as written in modules.dep
	Deps []string // names of the modules it depends on, in modules.dep order
}

// Index is the parsed module metadata of one kernel's module directory.
type Index struct {
	dir          string
	modules      map[string]*Module
	order        []string            // module names in modules.dep order
	depPaths     map[string][]string // module name -> dependency paths as written
	builtin      map[string]bool
	builtinLines []string // modules.builtin as read, for writing it back
	aliases      []aliasEntry
	byPrefix     map[string][]int32 // literal prefix of a normalized pattern -> indexes into aliases
	prefixLens   []int              // the distinct lengths of byPrefix's keys, ascending
	softdeps     map[string]*softdep
}

type aliasEntry struct {
	pattern string // as written in modules.alias
	norm    string // normalized pattern
	module  string // normalized module name
	prefix  int    // length of norm's literal prefix
}

type softdep struct {
	pre, post []string
}

// Index file names inside a module directory.
const (
	depFile     = "modules.dep"
	aliasFile   = "modules.alias"
	softdepFile = "modules.softdep"
	builtinFile = "modules.builtin"
)

// Load reads modules.dep, modules.alias, modules.softdep and modules.builtin from dir. Only
// modules.dep is required.
func Load(dir string) (*Index, error) {
	return LoadFrom(dir, func(name string) ([]byte, error) {
		return os.ReadFile(filepath.Join(dir, name))
	})
}

// LoadFrom is Load with the files read by read (e.g. out of an initramfs image); dir names the
// module directory in messages and in the paths the index holds. read must return an error
// that is fs.ErrNotExist for a missing optional file.
func LoadFrom(dir string, read func(name string) ([]byte, error)) (*Index, error) {
	ix := newIndex(dir)
	data, err := read(depFile)
	if err != nil {
		return nil, fmt.Errorf("load module index %s: %w", dir, err)
	}
	if err := ix.parseDep(filepath.Join(dir, depFile), data); err != nil {
		return nil, err
	}
	optional := []struct {
		name  string
		parse func(string, []byte) error
	}{
		{aliasFile, ix.parseAlias},
		{softdepFile, ix.parseSoftdep},
		{builtinFile, ix.parseBuiltin},
	}
	for _, o := range optional {
		data, err := read(o.name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load module index %s: %w", dir, err)
		}
		if err := o.parse(filepath.Join(dir, o.name), data); err != nil {
			return nil, err
		}
	}
	return ix, nil
}

func newIndex(dir string) *Index {
	return &Index{
		dir:      dir,
		modules:  map[string]*Module{},
		depPaths: map[string][]string{},
		builtin:  map[string]bool{},
		byPrefix: map[string][]int32{},
		softdeps: map[string]*softdep{},
	}
}

// Dir returns the directory the index was loaded from.
func (ix *Index) Dir() string { return ix.dir }

// Module returns the module called name ('-' and '_' are the same).
func (ix *Index) Module(name string) (*Module, bool) {
	m, ok := ix.modules[normalizeName(name)]
	return m, ok
}

// Builtin reports whether the module called name is built into the kernel.
func (ix *Index) Builtin(name string) bool {
	return ix.builtin[normalizeName(name)]
}

// Names returns the names of all loadable modules, sorted.
func (ix *Index) Names() []string {
	names := make([]string, 0, len(ix.modules))
	for n := range ix.modules {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ModulesUnder returns the sorted names of the modules whose path starts with prefix, e.g.
// "kernel/drivers/net/ethernet/".
func (ix *Index) ModulesUnder(prefix string) []string {
	var names []string
	for n, m := range ix.modules {
		if strings.HasPrefix(m.Path, prefix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// SoftDeps returns the soft dependencies of module name as written in modules.softdep
// (module names or aliases): pre are loaded before it, post after it.
func (ix *Index) SoftDeps(name string) (pre, post []string) {
	sd := ix.softdeps[normalizeName(name)]
	if sd == nil {
		return nil, nil
	}
	return append([]string(nil), sd.pre...), append([]string(nil), sd.post...)
}

// ModuleName returns the normalized module name for a module path or name:
// "kernel/fs/ext4/ext4.ko.xz" -> "ext4", "crc32c-intel" -> "crc32c_intel". Like kmod, it
// takes the base name up to its first '.'.
func ModuleName(path string) string {
	base := path
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	return normalizeName(base)
}

// normalizeName replaces every '-' with '_'.
func normalizeName(name string) string {
	return strings.ReplaceAll(name, "-", "_")
}
