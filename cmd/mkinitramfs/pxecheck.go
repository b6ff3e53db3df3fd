package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/goinit/goinit/boot"
	"github.com/goinit/goinit/internal/archive"
	"github.com/goinit/goinit/internal/build"
	"github.com/goinit/goinit/modalias"
	"github.com/goinit/goinit/pxelinux"
)

// checkImage holds the initramfs against the kernel and the command line a label boots it
// with, so that what the client would fail on is refused here:
//   - the kernel's release must be one the image carries modules for (after a kernel upgrade,
//     an image built for the old release loads none of its modules);
//   - the image must carry the modules the root asks for (an image built with --roots nfs
//     cannot attach root=aoe:e7.1).
//
// note receives what could not be checked, and why.
func checkImage(f bootFiles, appendLine string, note func(string)) error {
	kernel, initrd := f.kernel, f.initrd
	im, err := archive.ReadFile(initrd)
	if err != nil {
		return fmt.Errorf("pxelinux: %s: %w (expected an initramfs, e.g. one mkinitramfs -o wrote)", f.initrdArg, err)
	}
	rels := imageReleases(im)
	if len(rels) == 0 {
		note(fmt.Sprintf("%s %q carries no module index (lib/modules/*/modules.dep), so its modules were not checked against %s and the root", f.initrdArg, initrd, f.kernelArg))
		return nil
	}
	rel := rels[0]
	krel, err := build.KernelImageRelease(kernel)
	switch {
	case errors.Is(err, build.ErrNotBzImage):
		note(fmt.Sprintf("%v, so the image's modules (for %s) were not checked against its release", err, strings.Join(rels, ", ")))
	case err != nil:
		return fmt.Errorf("pxelinux: %s: %w", f.kernelArg, err)
	case !slices.Contains(rels, krel):
		return fmt.Errorf("pxelinux: %s %q is release %s, but %s %q carries modules for %s: the client would load none of them; rebuild the image with mkinitramfs -k %s",
			f.kernelArg, kernel, krel, f.initrdArg, initrd, strings.Join(rels, ", "), krel)
	default:
		rel = krel
	}
	ix, err := imageIndex(im, rel)
	if err != nil {
		return fmt.Errorf("pxelinux: %s %q: %w", f.initrdArg, initrd, err)
	}
	p, err := boot.ParseCmdline(appendLine)
	if err != nil {
		return fmt.Errorf("pxelinux: APPEND %s: %w", appendLine, err)
	}
	var missing []string
	for _, m := range boot.RootModules(p, p.Overlay != "") {
		if len(ix.Lookup(m)) == 0 && !ix.Builtin(boot.ModuleOfAlias(m)) {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("pxelinux: %s %q has no module for %s, which APPEND %s needs at boot (kernel %s); %s",
			f.initrdArg, initrd, quoteAll(missing), appendLine, rel, boot.RebuildHint(missing...))
	}
	return nil
}

// bootFiles are a label's kernel and initramfs on this host, and how the user named them: the
// flags --kernel and --initrd, or a config's KERNEL and INITRD.
type bootFiles struct {
	kernel, initrd       string
	kernelArg, initrdArg string
}

// imageReleases lists the kernel releases whose module index the image carries.
func imageReleases(im *archive.Image) []string {
	var rels []string
	for _, e := range im.Entries {
		dir, file := path.Split(e.Name)
		rest, ok := strings.CutPrefix(dir, "lib/modules/")
		if !ok || file != "modules.dep" {
			continue
		}
		if rel := strings.TrimSuffix(rest, "/"); rel != "" && !strings.Contains(rel, "/") && !slices.Contains(rels, rel) {
			rels = append(rels, rel)
		}
	}
	sort.Strings(rels)
	return rels
}

// imageIndex reads the module index the image carries for rel.
func imageIndex(im *archive.Image, rel string) (*modalias.Index, error) {
	dir := "lib/modules/" + rel
	return modalias.LoadFrom("/"+dir, func(name string) ([]byte, error) {
		e, ok := im.Lookup(dir + "/" + name)
		if !ok {
			return nil, fs.ErrNotExist
		}
		return e.Data, nil
	})
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// tftpRootOf is the TFTP root of a config file in <root>/pxelinux.cfg/, or "" for a file
// elsewhere (its label's files cannot be found then).
func tftpRootOf(config string) string {
	abs, err := filepath.Abs(config)
	if err != nil || filepath.Base(filepath.Dir(abs)) != "pxelinux.cfg" {
		return ""
	}
	return filepath.Dir(filepath.Dir(abs))
}

// labelVerdict is goinit's word on a label that names a root: its command line's errors, else
// the checks of its kernel and initramfs in the TFTP root (notes first), then "ok". fails says
// goinit would fail to boot the label.
func labelVerdict(l *pxelinux.Label, cmdline, tftpRoot string) (lines []string, fails bool) {
	if err := checkAppend(cmdline); err != nil {
		return []string{err.Error()}, true
	}
	note := func(s string) { lines = append(lines, "note: "+s) }
	switch {
	case l.Initrd == "":
		return []string{"not goinit's: the label has no INITRD, so goinit would not run"}, false
	case tftpRoot == "":
		note("the config is not in a pxelinux.cfg directory, so its KERNEL and INITRD files were not checked")
	case l.Kind != "" && l.Kind != "kernel" && l.Kind != "linux":
		note(fmt.Sprintf("a %s label: its files were not checked", l.Kind))
	case strings.Contains(l.Initrd, ","):
		note(fmt.Sprintf("INITRD %q is not one file: the initramfs was not checked", l.Initrd))
	default:
		kernel, initrd := inTFTPRoot(tftpRoot, l.Kernel), inTFTPRoot(tftpRoot, l.Initrd)
		for _, f := range []struct{ what, name, path string }{{"KERNEL", l.Kernel, kernel}, {"INITRD", l.Initrd, initrd}} {
			if _, err := os.Stat(f.path); err != nil {
				return append(lines, fmt.Sprintf("%s %s is not in the TFTP root %s: PXELINUX would fail to load it (%v)", f.what, f.name, tftpRoot, err)), true
			}
		}
		if err := checkImage(bootFiles{kernel, initrd, "KERNEL", "INITRD"}, cmdline, note); err != nil {
			return append(lines, strings.TrimPrefix(err.Error(), "pxelinux: ")), true
		}
	}
	return append(lines, "ok"), false
}

// inTFTPRoot maps a file name of the config (relative to the TFTP root, or absolute in the
// server's namespace) to the host path; it cannot leave the root.
func inTFTPRoot(root, name string) string {
	return filepath.Join(root, filepath.Clean("/"+name))
}
