package netroot

import "strings"

// NeedsNetwork reports whether the boot must configure IP networking: an ip= that is not
// ip=off/none, or a root that lives on the network (NFS, NBD, iSCSI, root=dhcp) without ip=,
// which implies ip=dhcp. An AoE root needs links up but no address, so it does not count.
// An ip= that does not parse counts as needing the network, so that ParseNetwork reports it.
func NeedsNetwork(c Cmdline) bool {
	if len(c.All("ip")) > 0 {
		plan, err := ParseNetwork(c)
		return err != nil || !plan.Off
	}
	if rootNeedsNetwork(c) {
		return true
	}
	for _, alt := range c.All("goinit.altroot") {
		if rootNeedsNetwork(rootOverride{Cmdline: c, root: alt}) {
			return true
		}
	}
	return false
}

// rootNeedsNetwork reports whether root= (with nbdroot=, netroot=, rd.iscsi.*) lives on an IP
// network.
func rootNeedsNetwork(c Cmdline) bool {
	root, _ := c.Get("root")
	switch {
	case root == "/dev/nfs", root == "dhcp",
		strings.HasPrefix(root, "nfs:"), strings.HasPrefix(root, "nfs4:"),
		strings.HasPrefix(root, "nbd:"), strings.HasPrefix(root, "iscsi:"):
		return true
	case c.Has("nbdroot"):
		return true // root=/dev/nbdN, block2mtd over /dev/nbdN, or nbdroot= alone
	case c.Has("netroot"), c.Has("rd.iscsi.target.ip"):
		return true // iSCSI named by netroot= or rd.iscsi.* next to a local-looking root=
	}
	return false
}
