package boot

import (
	"slices"
	"strings"
)

// RebuildHint tells how to build an image that carries the modules (or aliases, as
// RootModules names them) missing from this one: the mkinitramfs --roots type that brings
// them, or --modules for a filesystem or the overlay. The --roots names are
// internal/build.RootTypes (mkinitramfs's tests hold them together).
func RebuildHint(missing ...string) string {
	var roots, mods []string
	add := func(list *[]string, v string) {
		if !slices.Contains(*list, v) {
			*list = append(*list, v)
		}
	}
	for _, m := range missing {
		switch {
		case m == "aoe", m == "nbd":
			add(&roots, m)
		case m == "iscsi_tcp", m == "sd_mod":
			add(&roots, "iscsi")
		case m == "fs-nfs", m == "fs-nfs4", strings.HasPrefix(m, "nfsv"):
			add(&roots, "nfs")
		default:
			add(&mods, ModuleOfAlias(m))
		}
	}
	var parts []string
	if len(roots) > 0 {
		parts = append(parts, "--roots including "+strings.Join(roots, ",")+" (or --roots all)")
	}
	if len(mods) > 0 {
		parts = append(parts, "--modules "+strings.Join(mods, ","))
	}
	return "rebuild the image with " + strings.Join(parts, " and ")
}

// ModuleOfAlias is the module behind a filesystem alias of RootModules, as modules.builtin
// names it ("fs-nfs4" is nfsv4, "fs-btrfs" btrfs); other names are returned as they are.
func ModuleOfAlias(m string) string {
	if m == "fs-nfs4" {
		return "nfsv4"
	}
	return strings.TrimPrefix(m, "fs-")
}
