// Package netroot attaches the root filesystem: one file per transport (NFS, AoE, NBD, iSCSI,
// a local block device) behind the small Attacher interface, and the network bring-up that the
// network transports need.
package netroot

import "context"

// Mount is what an Attacher hands back: the arguments of the mount(2) call that mounts the root.
// FSType may be empty for a block device, in which case the caller probes it.
type Mount struct {
	Source string
	FSType string
	Data   string
	Flags  uintptr
	// Alternatives are further mount(2) calls to try in turn if this one fails (NFS v4.2, v3).
	Alternatives []Mount
}

// Attacher makes a root source ready to mount.
type Attacher interface {
	// String names the attachment the way the console shows it, e.g.
	// `nbd 10.99.0.1:10809 export "root"`.
	String() string
	// Attach waits (within ctx's deadline) until the root can be mounted.
	Attach(ctx context.Context) (Mount, error)
}

// Cmdline is the read access to the parsed kernel command line that the parsers need.
// boot.Params satisfies it.
type Cmdline interface {
	Get(key string) (string, bool)
	All(key string) []string
	Has(key string) bool
}
