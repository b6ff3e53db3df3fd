package modalias

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Loader loads modules of an Index into the running kernel with finit_module. It is safe for
// concurrent use: each module is inserted at most once, and callers asking for a module whose
// load is in flight wait for it and share its result.
type Loader struct {
	Index  *Index
	Dir    string              // directory the module paths are relative to
	Params map[string][]string // module -> ["param=value", ...], e.g. from the kernel cmdline
	Logf   func(format string, args ...any)

	finit     func(fd int, params string, flags int) error // default finitModule
	initMod   func(image []byte, params string) error      // default initModule
	sysModule string                                       // default "/sys/module"

	mu     sync.Mutex
	loads  map[string]*loadCall
	warned map[string]bool // modules whose soft dependency failure was logged
}

// loadCall is one insertion of one module, shared by every caller that needs it.
type loadCall struct {
	done chan struct{}
	err  error
}

// NewLoader returns a Loader for the modules of ix, found under ix.Dir(). params holds
// per-module parameters ("param=value"), keyed by module name.
func NewLoader(ix *Index, params map[string][]string, logf func(string, ...any)) *Loader {
	return &Loader{Index: ix, Dir: ix.Dir(), Params: params, Logf: logf}
}

func (l *Loader) logf(format string, args ...any) {
	if l.Logf != nil {
		l.Logf(format, args...)
	}
}

// Load resolves nameOrAlias through the index and loads every module it names, each after its
// soft "pre" dependencies and its dependencies and before its soft "post" dependencies. A
// built-in or already loaded module counts as success. When several modules match, Load
// succeeds if any of them loads; the failures of the others are logged. It returns the names
// of the modules this call inserted.
func (l *Loader) Load(ctx context.Context, nameOrAlias string) ([]string, error) {
	names := l.Index.Lookup(nameOrAlias)
	if len(names) == 0 {
		return nil, &NotInImageError{Name: nameOrAlias}
	}
	var loaded []string
	var errs []error
	for _, n := range names {
		if err := l.load(ctx, n, &loaded, map[string]bool{}); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == len(names) {
		return loaded, errors.Join(errs...)
	}
	for _, err := range errs {
		l.logf("modalias: %q: %v (another match loaded)", nameOrAlias, err)
	}
	return loaded, nil
}

// load loads module name and what it needs. chain holds the modules being loaded further up
// this call's recursion, to stop dependency cycles.
func (l *Loader) load(ctx context.Context, name string, loaded *[]string, chain map[string]bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if l.Index.Builtin(name) || chain[name] {
		return nil
	}
	m, ok := l.Index.Module(name)
	if !ok {
		return fmt.Errorf("load module %s: not in the image's modules.dep", name)
	}
	if err, done := l.result(m.Name); done {
		return err
	}
	if l.live(m.Name) {
		// Loaded before (by the kernel's request_module, an earlier boot stage, ...): the
		// kernel has its dependencies too.
		return nil
	}
	chain[m.Name] = true
	defer delete(chain, m.Name)

	pre, post := l.Index.SoftDeps(m.Name)
	l.loadSoft(ctx, m.Name, "pre", pre, loaded, chain)
	// modules.dep lists every transitive dependency; the recursion puts each one after its
	// own, and going backwards matches depmod's order (later entries are needed by earlier).
	for i := len(m.Deps) - 1; i >= 0; i-- {
		if err := l.load(ctx, m.Deps[i], loaded, chain); err != nil {
			return fmt.Errorf("load module %s: %w", m.Name, err)
		}
	}
	inserted, err := l.insert(ctx, m)
	if err != nil {
		return err
	}
	if inserted {
		*loaded = append(*loaded, m.Name)
	}
	l.loadSoft(ctx, m.Name, "post", post, loaded, chain)
	return nil
}

// loadSoft loads soft dependencies; their failures are logged, not returned (crc32c-intel
// fails with ENODEV on CPUs without SSE4.2 while crc32c_generic loads).
func (l *Loader) loadSoft(ctx context.Context, owner, kind string, deps []string, loaded *[]string, chain map[string]bool) {
	for _, s := range deps {
		names := l.Index.Lookup(s)
		if len(names) == 0 {
			l.logf("modalias: softdep %s %s of %s: no module in the image", kind, s, owner)
			continue
		}
		for _, n := range names {
			if err := l.load(ctx, n, loaded, chain); err != nil && l.firstWarning(n) {
				l.logf("modalias: softdep %s %s of %s: %v (continuing)", kind, s, owner, err)
			}
		}
	}
}

// firstWarning reports whether this is the first failed soft dependency load of module
// name, so a module that cannot load (crc32c_intel without SSE4.2) is reported once, not for
// every module that wants it.
func (l *Loader) firstWarning(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.warned[name] {
		return false
	}
	if l.warned == nil {
		l.warned = map[string]bool{}
	}
	l.warned[name] = true
	return true
}

// result returns the outcome of a finished insertion of name, if there was one.
func (l *Loader) result(name string) (err error, done bool) {
	l.mu.Lock()
	c := l.loads[name]
	l.mu.Unlock()
	if c == nil {
		return nil, false
	}
	select {
	case <-c.done:
		return c.err, true
	default:
		return nil, false
	}
}

// insert inserts module m once; concurrent callers wait for the insertion in flight. It
// reports whether this call did the insertion.
func (l *Loader) insert(ctx context.Context, m *Module) (bool, error) {
	l.mu.Lock()
	if c, ok := l.loads[m.Name]; ok {
		l.mu.Unlock()
		select {
		case <-c.done:
			return false, c.err
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	if l.loads == nil {
		l.loads = map[string]*loadCall{}
	}
	c := &loadCall{done: make(chan struct{})}
	l.loads[m.Name] = c
	l.mu.Unlock()

	var inserted bool
	inserted, c.err = l.insertOnce(m)
	close(c.done)
	return inserted, c.err
}

func (l *Loader) insertOnce(m *Module) (bool, error) {
	if l.live(m.Name) {
		return false, nil
	}
	path := m.Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(l.Dir, path)
	}
	params := l.paramString(m.Name)
	start := time.Now()
	how, err := l.insertFile(path, params)
	took := time.Since(start).Round(time.Millisecond)
	if errors.Is(err, syscall.EEXIST) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("load module %s (%s): %w", m.Name, path, err)
	}
	if params != "" {
		l.logf("modalias: loaded %s (%s) in %v%s", m.Name, params, took, how)
	} else {
		l.logf("modalias: loaded %s in %v%s", m.Name, took, how)
	}
	return true, nil
}

// insertFile hands the module file at path to the kernel. A plain .ko goes by file
// descriptor (finit_module). A packed one (.ko.zst, as mkinitramfs stores them) is unpacked
// here and goes by memory (init_module): that works whether or not the kernel can decompress
// modules itself, and only the modules a machine needs are ever unpacked. how says which,
// for the log.
func (l *Loader) insertFile(path, params string) (how string, err error) {
	if UncompressedPath(path) != path {
		start := time.Now()
		image, err := ReadPackedModule(path)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return "", pe.Err
			}
			return "", err
		}
		initMod := l.initMod
		if initMod == nil {
			initMod = initModule
		}
		how := fmt.Sprintf(" (unpacked %d KiB in %v)", len(image)>>10, time.Since(start).Round(time.Millisecond))
		return how, initMod(image, params)
	}
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", err
	}
	defer f.Close()
	finit := l.finit
	if finit == nil {
		finit = finitModule
	}
	return "", finit(int(f.Fd()), params, 0)
}

// live reports whether module name is already loaded and initialized, from
// /sys/module/<name>/initstate.
func (l *Loader) live(name string) bool {
	root := l.sysModule
	if root == "" {
		root = "/sys/module"
	}
	b, err := os.ReadFile(filepath.Join(root, name, "initstate"))
	return err == nil && strings.TrimSpace(string(b)) == "live"
}

// paramString joins the parameters given for module name ("-" and "_" are the same in module
// names), quoting values with white space the way the kernel's parameter parser expects.
func (l *Loader) paramString(name string) string {
	var keys []string
	for mod := range l.Params {
		if normalizeName(mod) == name {
			keys = append(keys, mod)
		}
	}
	sort.Strings(keys)
	var parts []string
	for _, mod := range keys {
		for _, p := range l.Params[mod] {
			k, v, ok := strings.Cut(p, "=")
			if ok && strings.ContainsAny(v, " \t\n") && !strings.HasPrefix(v, `"`) {
				p = k + `="` + v + `"`
			}
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// NotInImageError says a module name or alias matches nothing the image carries, not even a
// built-in module: the image was built without it.
type NotInImageError struct{ Name string }

func (e *NotInImageError) Error() string { return fmt.Sprintf("no module for %q in the image", e.Name) }
