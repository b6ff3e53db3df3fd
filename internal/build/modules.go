package build

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/goinit/goinit/internal/archive"
	"github.com/goinit/goinit/modalias"
)

// moduleSet is the outcome of module selection.
type moduleSet struct {
	names   []string // every module to include, sorted
	missing []string // group entries this kernel has neither as module nor built in
	nicNote string   // what --nics selected, for the verbose output and the summary
}

// selectModules resolves the module groups, the NIC drivers and --modules into one closure.
func (s *settings) selectModules(ix *modalias.Index) (*moduleSet, error) {
	set := &moduleSet{}
	var want []string
	for _, g := range moduleGroups {
		if !g.wanted(s.roots) {
			continue
		}
		for _, n := range g.modules {
			if len(ix.Lookup(n)) == 0 {
				set.missing = append(set.missing, fmt.Sprintf("%s (%s)", n, g.name))
				continue
			}
			want = append(want, n)
		}
	}

	switch s.NICs {
	case NICsGeneric:
		nics := ix.ModulesUnder(ethernetDir)
		want = append(want, nics...)
		want = append(want, "virtio_net")
		set.nicNote = fmt.Sprintf("generic: %d drivers under %s and virtio_net", len(nics), ethernetDir)
	case NICsHost:
		devs, err := hostNICs(s.SysDir)
		if err != nil {
			return nil, fmt.Errorf("select --nics host: %w", err)
		}
		var found []string
		for _, d := range devs {
			mods := ix.Lookup(d.modalias)
			for _, m := range mods {
				if _, ok := ix.Module(m); ok {
					want = append(want, m)
				}
			}
			found = append(found, fmt.Sprintf("%s -> %s", d.iface, orNone(mods)))
		}
		set.nicNote = fmt.Sprintf("host: %s", orNone(found))
		if len(found) == 0 {
			set.nicNote = fmt.Sprintf("host: no network device with a modalias under %s", filepath.Join(s.SysDir, "class", "net"))
		}
	case NICsNone:
		set.nicNote = "none"
	}

	// Each --modules name on its own first, so an error names the one that failed.
	for _, n := range s.extra {
		if _, err := ix.Closure([]string{n}); err != nil {
			return nil, fmt.Errorf("resolve --modules %q: %w", n, err)
		}
		want = append(want, n)
	}
	names, err := ix.Closure(want)
	if err != nil {
		return nil, fmt.Errorf("resolve modules: %w", err)
	}
	set.names = names
	return set, nil
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// addModules puts each module at lib/modules/<kver>/<path without .xz/.zst/.gz>, packed
// again with zstd (suffix .ko.zst) unless pack is false, with the index subset beside them,
// and returns the firmware names their modinfo lists (sorted, without duplicates).
//
// Why pack each module: goinit unpacks only the modules a machine loads (init_module from
// memory), so the kernel no longer inflates every NIC driver of a generic image into the
// initramfs tmpfs at boot, and the image shrinks too. Packed modules go into the image's
// leading uncompressed archive (archive.Builder.AddPackedFileFunc), so they are not compressed twice,
// and they are packed in the background while the rest of the image is put together.
func addModules(b *archive.Builder, ix *modalias.Index, kver string, names []string, pack bool) ([]string, error) {
	base := path.Join("lib/modules", kver)
	files, p, err := readModules(ix, names, pack)
	if err != nil {
		return nil, err
	}
	fw := map[string]bool{}
	for i, f := range files {
		if p != nil {
			err = b.AddPackedFileFunc(path.Join(base, f.path+packedModuleExt), 0o644, p.packed(i))
		} else {
			err = b.AddFile(path.Join(base, f.path), f.data, 0o644)
		}
		if err != nil {
			return nil, err
		}
		for _, name := range f.firmware {
			fw[name] = true
		}
	}
	ext := ""
	if pack {
		ext = packedModuleExt
	}
	subset := ix.WriteSubsetAs(names, ext)
	index := make([]string, 0, len(subset))
	for f := range subset {
		index = append(index, f)
	}
	sort.Strings(index)
	for _, f := range index {
		if err := b.AddFile(path.Join(base, f), subset[f], 0o644); err != nil {
			return nil, err
		}
	}
	list := make([]string, 0, len(fw))
	for f := range fw {
		list = append(list, f)
	}
	sort.Strings(list)
	return list, nil
}

// relModulePath turns a modules.dep path into one relative to the module directory dir
// (some distributions write absolute paths) and refuses one that leaves it.
func relModulePath(dir, p string) (string, error) {
	if path.IsAbs(p) {
		r, err := filepath.Rel(dir, filepath.FromSlash(p))
		if err != nil {
			return "", fmt.Errorf("module path %q is outside %s", p, dir)
		}
		p = filepath.ToSlash(r)
	}
	p = path.Clean(p)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", fmt.Errorf("module path %q is outside %s", p, dir)
	}
	return p, nil
}
