package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/goinit/goinit/boot"
	"github.com/goinit/goinit/internal/archive"
	"github.com/goinit/goinit/internal/build"
	"github.com/goinit/goinit/modalias"
)

// checkImage holds the initramfs against the kernel and the command line a label boots it
// with, so that what the client would fail on is refused here:
//   - the kernel's release must be one the image carries modules for (after a kernel upgrade,
//     an image built for the old release loads none of its modules);
//   - the image must carry the modules the root asks for (an image built with --roots nfs
//     cannot attach root=aoe:e7.1).
//
// note receives what could not be checked, and why.
func checkImage(kernel, initrd, appendLine string, note func(string)) error {
	im, err := archive.ReadFile(initrd)
	if err != nil {
		return fmt.Errorf("pxelinux: --initrd: %w (expected an initramfs, e.g. one mkinitramfs -o wrote)", err)
	}
	rels := imageReleases(im)
	if len(rels) == 0 {
		note(fmt.Sprintf("--initrd %q carries no module index (lib/modules/*/modules.dep), so its modules were not checked against --kernel and the root", initrd))
		return nil
	}
	rel := rels[0]
	krel, err := build.KernelImageRelease(kernel)
	switch {
	case errors.Is(err, build.ErrNotBzImage):
		note(fmt.Sprintf("%v, so the image's modules (for %s) were not checked against its release", err, strings.Join(rels, ", ")))
	case err != nil:
		return fmt.Errorf("pxelinux: --kernel: %w", err)
	case !slices.Contains(rels, krel):
		return fmt.Errorf("pxelinux: --kernel %q is release %s, but --initrd %q carries modules for %s: the client would load none of them; rebuild the image with mkinitramfs -k %s",
			kernel, krel, initrd, strings.Join(rels, ", "), krel)
	default:
		rel = krel
	}
	ix, err := imageIndex(im, rel)
	if err != nil {
		return fmt.Errorf("pxelinux: --initrd %q: %w", initrd, err)
	}
	p, err := boot.ParseCmdline(appendLine)
	if err != nil {
		return fmt.Errorf("pxelinux: APPEND %s: %w", appendLine, err)
	}
	var missing []string
	for _, m := range boot.RootModules(p, p.Overlay != "") {
		if len(ix.Lookup(m)) == 0 && !ix.Builtin(builtinName(m)) {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("pxelinux: --initrd %q has no module for %s, which APPEND %s needs at boot (kernel %s); rebuild the image with %s",
			initrd, quoteAll(missing), appendLine, rel, rebuildHint(missing))
	}
	return nil
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

// builtinName is the module behind a filesystem alias, as modules.builtin names it: a kernel
// with NFS built in answers fs-nfs4 without any module.
func builtinName(m string) string {
	switch m {
	case "fs-nfs4":
		return "nfsv4"
	}
	return strings.TrimPrefix(m, "fs-")
}

// rebuildHint says which mkinitramfs flags add the missing modules: the --roots type that
// brings them, or --modules for a filesystem or the overlay.
func rebuildHint(missing []string) string {
	var roots, mods []string
	add := func(list *[]string, v string) {
		if !slices.Contains(*list, v) {
			*list = append(*list, v)
		}
	}
	for _, m := range missing {
		switch {
		case m == build.RootAoE, m == build.RootNBD:
			add(&roots, m)
		case m == "iscsi_tcp", m == "sd_mod":
			add(&roots, build.RootISCSI)
		case m == "fs-nfs", m == "fs-nfs4", strings.HasPrefix(m, "nfsv"):
			add(&roots, build.RootNFS)
		default:
			add(&mods, builtinName(m))
		}
	}
	var parts []string
	if len(roots) > 0 {
		parts = append(parts, "--roots including "+strings.Join(roots, ",")+" (or --roots all)")
	}
	if len(mods) > 0 {
		parts = append(parts, "--modules "+strings.Join(mods, ","))
	}
	return strings.Join(parts, " and ")
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
