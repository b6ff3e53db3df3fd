package build

import (
	"fmt"
	"slices"
	"strings"
)

// moduleGroup is a set of modules an image carries so that the root forms goinit understands
// work without --modules. Names are module names or aliases; each is resolved with its
// dependencies and soft dependencies. A name this kernel has built in is skipped silently;
// one it lacks altogether is skipped with a warning. roots lists the root types (--roots)
// that need the group; an empty list means every image.
type moduleGroup struct {
	name    string
	roots   []string
	modules []string
}

// The root types --roots takes.
const (
	RootNFS   = "nfs"
	RootAoE   = "aoe"
	RootNBD   = "nbd"
	RootISCSI = "iscsi"
	RootLocal = "local"
)

// RootTypes are the --roots values, in the order help text shows them; all of them is the
// default.
var RootTypes = []string{RootNFS, RootAoE, RootNBD, RootISCSI, RootLocal}

// blockRoots are the root types that mount a filesystem from a block device.
var blockRoots = []string{RootAoE, RootNBD, RootISCSI, RootLocal}

// moduleGroups is the one table of included modules. Extend it here when a new root
// transport or filesystem needs modules.
var moduleGroups = []moduleGroup{
	{"base", nil, []string{
		// the virtio bus (virtio-net and the disks), DHCP's raw socket, the overlay
		"virtio_pci", "virtio_net", "af_packet", "overlay",
	}},
	{"disks", []string{RootLocal}, []string{
		"virtio_blk", "virtio_scsi", "ahci", "ata_piix", "nvme", "scsi_mod", "sd_mod",
	}},
	{"filesystems", blockRoots, []string{
		// ext4's checksums need crc32c (crc32c-intel fails without SSE4.2); loop for image files
		"ext4", "xfs", "btrfs", "squashfs", "erofs", "vfat", "nls_cp437", "nls_iso8859_1",
		"crc32c_generic", "loop",
	}},
	{"nfs", []string{RootNFS}, []string{"nfs", "nfsv3", "nfsv4", "sunrpc", "lockd", "grace"}},
	{"aoe", []string{RootAoE}, []string{"aoe"}},
	{"nbd", []string{RootNBD}, []string{"nbd"}},
	{"flash", []string{RootAoE, RootNBD, RootLocal}, []string{"block2mtd", "mtdblock", "jffs2"}},
	{"iscsi", []string{RootISCSI}, []string{"iscsi_tcp", "libiscsi", "scsi_transport_iscsi", "sd_mod", "crc32c"}},
}

// wanted reports whether an image for the root types roots needs group g.
func (g moduleGroup) wanted(roots []string) bool {
	if len(g.roots) == 0 {
		return true
	}
	for _, r := range g.roots {
		if slices.Contains(roots, r) {
			return true
		}
	}
	return false
}

// parseRoots checks a --roots value: "all" (or empty) or a comma-separated list of
// RootTypes.
func parseRoots(v string) ([]string, error) {
	if v == "" || v == "all" {
		return RootTypes, nil
	}
	var roots []string
	for _, r := range strings.Split(v, ",") {
		r = strings.TrimSpace(r)
		if !slices.Contains(RootTypes, r) {
			return nil, fmt.Errorf("check config: --roots %q: %q is not a root type; want all or a list of %s", v, r, strings.Join(RootTypes, ", "))
		}
		if !slices.Contains(roots, r) {
			roots = append(roots, r)
		}
	}
	return roots, nil
}
