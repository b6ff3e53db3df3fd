package build

// moduleGroup is a set of modules every image carries, so that the root forms goinit
// understands work without --modules. Names are module names or aliases; each is resolved
// with its dependencies and soft dependencies. A name this kernel has built in is skipped
// silently; one it lacks altogether is skipped with a warning.
type moduleGroup struct {
	name    string
	modules []string
}

// moduleGroups is the one table of always-included modules. Extend it here when a new root
// transport or filesystem needs modules.
var moduleGroups = []moduleGroup{
	{"base", []string{
		// buses and disks
		"virtio_pci", "virtio_blk", "virtio_scsi", "virtio_net",
		"ahci", "ata_piix", "nvme", "scsi_mod", "sd_mod",
		// filesystems and the overlay
		"ext4", "xfs", "btrfs", "squashfs", "erofs", "vfat", "nls_cp437", "nls_iso8859_1", "overlay",
		// DHCP's raw socket, ext4's checksums (crc32c-intel fails without SSE4.2), loop files
		"af_packet", "crc32c_generic", "loop",
	}},
	{"nfs", []string{"nfs", "nfsv3", "nfsv4", "sunrpc", "lockd", "grace"}},
	{"aoe", []string{"aoe"}},
	{"nbd", []string{"nbd"}},
	{"flash", []string{"block2mtd", "mtdblock", "jffs2"}},
	{"iscsi", []string{"iscsi_tcp", "libiscsi", "scsi_transport_iscsi", "crc32c"}},
}
