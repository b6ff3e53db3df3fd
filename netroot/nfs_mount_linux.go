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

// nfsTCPTimeo is the RPC timeout goinit gives NFS over TCP unless the options name timeo=: 10 s
// (in deciseconds) instead of the kernel's 60 s. It bounds a stall that TCP alone sits out on a
// lossy link: the server's retransmission timer has backed off to tens of seconds while the
// client's ACKs get lost, and the client, waiting for the reply, sends nothing that carries a
// usable ACK (keepalives are out of window and ignored). When the RPC timeout expires, NFSv3
// resends the request on the same connection and NFSv4.1+ reconnects, and the transfer resumes;
// at 60 s an NFSv4 lease (60 s on most servers) can run out first. Requests on a working link
// are answered far sooner, so nothing is sent twice there.
const nfsTCPTimeo = "timeo=100"

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
// statd in the initramfs) and TCP for NFS and mountd, and over TCP a shorter RPC timeout
// (nfsTCPTimeo); read-only unless the options say rw. The user's own options win.
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
	udp := false // the last of udp, tcp, proto= decides, as in the kernel
	for _, o := range rest {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "udp", "tcp":
			udp = k == "udp"
		case "proto":
			udp = strings.HasPrefix(v, "udp")
		}
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
	if !udp && !has("timeo") {
		opts = append(opts, nfsTCPTimeo)
	}
	opts = append(opts, rest...)
	return Mount{Source: r.Source(), FSType: fstype, Data: strings.Join(opts, ","), Flags: flags}
}
