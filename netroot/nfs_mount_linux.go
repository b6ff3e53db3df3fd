package netroot

import (
	"strings"

	"github.com/goinit/goinit/internal/mountopt"
	"golang.org/x/sys/unix"
)

// nfsDefaultVersions are tried in order when the user named no version; nfsV3FirstVersions
// for root=/dev/nfs (NFSRoot.V3First).
var (
	nfsDefaultVersions = []string{"4.2", "3"}
	nfsV3FirstVersions = []string{"3", "4.2"}
)

// fstabOnly are options mount(8) reads from fstab that mean nothing to the kernel.
var fstabOnly = map[string]bool{
	"auto": true, "noauto": true, "user": true, "nouser": true, "users": true,
	"_netdev": true, "nofail": true, "owner": true, "group": true,
}

// Mounts lists the mount(2) calls to try, in order: the named version, or v4.2 then v3 (v3
// then v4.2 for root=/dev/nfs).
func (n *nfs) Mounts() []Mount {
	versions := nfsDefaultVersions
	if n.r.V3First {
		versions = nfsV3FirstVersions
	}
	if n.r.Version != "" {
		versions = []string{n.r.Version}
	}
	out := make([]Mount, 0, len(versions))
	for _, v := range versions {
		out = append(out, nfsMount(n.r, v))
	}
	return out
}

// nfsMount builds the mount(2) arguments for one version: text options with vers= and addr=
// (the kernel needs it, there is no mount.nfs to resolve the server), for v2/v3 nolock (no
// statd in the initramfs) and TCP for NFS and mountd; read-only unless the options say rw.
func nfsMount(r NFSRoot, vers string) Mount {
	var user []string
	for _, o := range r.Options {
		if !fstabOnly[o] && !strings.HasPrefix(o, "x-") {
			user = append(user, o)
		}
	}
	flags, data := mountopt.Split(strings.Join(user, ","), unix.MS_RDONLY)
	var rest []string
	if data != "" {
		rest = strings.Split(data, ",")
	}
	has := func(names ...string) bool {
		for _, o := range rest {
			k, _, _ := strings.Cut(o, "=")
			for _, n := range names {
				if k == n {
					return true
				}
			}
		}
		return false
	}
	opts := []string{"vers=" + vers}
	if !has("addr") {
		opts = append(opts, "addr="+r.Server)
	}
	fstype := "nfs4"
	if !strings.HasPrefix(vers, "4") {
		fstype = "nfs"
		if !has("lock", "nolock", "local_lock") {
			opts = append(opts, "nolock")
		}
		if !has("proto", "tcp", "udp", "rdma") {
			opts = append(opts, "proto=tcp")
		}
		if !has("mountproto") {
			opts = append(opts, "mountproto=tcp")
		}
	}
	opts = append(opts, rest...)
	return Mount{Source: r.Source(), FSType: fstype, Data: strings.Join(opts, ","), Flags: flags}
}
