package boot

import (
	"context"
	"strings"
)

// preloadModules names the modules the root will ask for, so they can load while the network
// comes up instead of when mount(2) asks for them (NFS needs sunrpc, nfs, nfsv4, … which take
// seconds to load on a slow machine).
func preloadModules(p *Params, overlay bool) []string {
	root, _ := p.Get("root")
	var mods []string
	switch {
	case root == "/dev/nfs", root == "dhcp", strings.HasPrefix(root, "nfs:"):
		mods = append(mods, "fs-nfs4", "fs-nfs")
	case strings.HasPrefix(root, "nfs4:"):
		mods = append(mods, "fs-nfs4")
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

// startPreload loads the root's modules in the background; a later Load of the same module
// waits for this one. Failures are left for the step that needs the module to report.
func (b *Boot) startPreload() {
	mods := preloadModules(b.Params, b.overlay != nil)
	if b.loader == nil || len(mods) == 0 {
		return
	}
	go func() {
		defer func() { recover() }() // PID 1 must not die for an optimisation
		for _, m := range mods {
			if len(b.index.Lookup(m)) == 0 {
				continue
			}
			if _, err := b.loader.Load(context.Background(), m); err != nil {
				b.Log.Debugf("preload %s: %v", m, err)
			}
		}
	}()
}
