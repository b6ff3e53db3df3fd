package boot

import (
	"cmp"
	"context"
	"strings"

	"github.com/goinit/goinit/internal/safego"
	"github.com/goinit/goinit/netroot"
)

// RootModules names the modules (or their aliases) the root will ask for: goinit preloads them
// while the network comes up instead of when mount(2) asks for them (NFS needs sunrpc, nfs,
// nfsv4, … which take seconds to load on a slow machine), and mkinitramfs pxelinux checks that
// the image it writes a config for carries them.
func RootModules(p *Params, overlay bool) []string {
	root, _ := p.Get("root")
	var mods []string
	switch {
	case netroot.IsNFSRoot(p):
		mods = append(mods, nfsPreload(p)...)
	case root == "dhcp":
		mods = append(mods, "fs-nfs4", "fs-nfs")
	case strings.HasPrefix(root, "nbd:"), p.Has("nbdroot"):
		mods = append(mods, "nbd")
	case strings.HasPrefix(root, "aoe:"), strings.HasPrefix(root, "/dev/etherd/"), p.Has("aoeroot"):
		mods = append(mods, "aoe")
	case strings.HasPrefix(root, "iscsi:"), p.Has("netroot"):
		mods = append(mods, "iscsi_tcp", "sd_mod")
	}
	if p.RootFSType != "" {
		mods = append(mods, "fs-"+p.RootFSType)
	}
	if overlay {
		mods = append(mods, "fs-overlay")
	}
	return mods
}

// nfsPreload names the NFS client modules of the version the mount will try first: v3 for
// root=/dev/nfs without a version, v4 for nfs4: or vers=4, both otherwise.
func nfsPreload(p *Params) []string {
	r, err := netroot.ParseNFS(p)
	switch {
	case err != nil:
		return []string{"fs-nfs4", "fs-nfs"}
	case strings.HasPrefix(r.Version, "4"):
		return []string{"fs-nfs4"}
	case r.Version == "3", r.Version == "2", r.Version == "" && r.V3First:
		return []string{"fs-nfs", "nfsv" + cmp.Or(r.Version, "3")}
	}
	return []string{"fs-nfs4", "fs-nfs"}
}

// startPreload loads the root's modules in the background; a later Load of the same module
// waits for this one. Failures are left for the step that needs the module to report.
func (b *Boot) startPreload() {
	mods := RootModules(b.Params, b.overlay != nil)
	if b.loader == nil || len(mods) == 0 {
		return
	}
	safego.Go("preload", b.Log.Debugf, func() { // PID 1 must not die for an optimisation
		for _, m := range mods {
			if len(b.index.Lookup(m)) == 0 {
				continue
			}
			if _, err := b.loader.Load(context.Background(), m); err != nil {
				b.Log.Debugf("preload %s: %v", m, err)
			}
		}
	})
}
