package netroot

import "strings"

// RootOnNetwork reports whether every root the command line may boot (root= and each
// goinit.altroot=) lives on the network: NFS, NBD, iSCSI, AoE or root=dhcp. Then the boot
// needs no local disk, and goinit leaves the storage controllers' drivers to the root's own
// udev instead of loading them before the network.
func RootOnNetwork(c Cmdline) bool {
	if !rootOnNetwork(c) {
		return false
	}
	for _, alt := range c.All("goinit.altroot") {
		if !rootOnNetwork(rootOverride{Cmdline: c, root: alt}) {
			return false
		}
	}
	return true
}

func rootOnNetwork(c Cmdline) bool {
	if rootNeedsNetwork(c) {
		return true
	}
	root, _ := c.Get("root")
	return strings.HasPrefix(root, "aoe:") || strings.HasPrefix(root, "/dev/etherd/") || c.Has("aoeroot")
}
