package netroot

import (
	"context"
	"fmt"
	"strings"

	"github.com/goinit/goinit/internal/hint"
)

// Parse picks the attacher for the root the command line names, with its goinit.altroot=
// alternatives when there are any. It is pure: it validates the
// forms and never touches the network or devices. Roots that depend on what DHCP brings
// (root=dhcp, an NFS root without a server) are resolved when Attach runs, from env.Network.
func Parse(c Cmdline, env Env) (Attacher, error) {
	a, err := parseOne(c, env)
	if err != nil {
		return nil, err
	}
	return parseAlternatives(c, env, a)
}

// parseOne is Parse without the alternatives.
func parseOne(c Cmdline, env Env) (Attacher, error) {
	root, _ := c.Get("root")
	switch {
	case root == "" && !c.Has("aoeroot") && !c.Has("nbdroot"): // those two need no root=
		return nil, fmt.Errorf("cmdline: no root= parameter: expected root=/dev/<name>, UUID=<uuid>, LABEL=<label>, PARTUUID=<uuid>, PARTLABEL=<label> or a network root")
	case root == "dhcp":
		// The root-path may name an NBD root: check its settings now rather than after DHCP.
		if err := nbdReconnectSettings(c, &NBDRoot{}); err != nil {
			return nil, err
		}
		return &dhcpRoot{c: c, env: env}, nil
	case IsNFSRoot(c):
		r, err := ParseNFS(c)
		if err != nil {
			return nil, err
		}
		return &nfsLate{r: r, env: env}, nil
	}
	if r, ok, err := ParseISCSI(c); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return NewISCSI(*r, env), nil
	}
	// block2mtd over a network block device comes first: root= then names the mtdblock device,
	// and nbdroot= (or the AoE target) only says where the block device under it comes from.
	if b, ok, err := parseBlock2MTD(c, env); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return b, nil
	}
	if t, ok, err := ParseAoE(c); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return NewAoE(t, env), nil
	}
	if r, ok, err := ParseNBD(c); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return NewNBD(*r, env), nil
	}
	if isNetworkRoot(root, c) {
		return nil, fmt.Errorf("cmdline: root=%q: this root type is not supported by this build yet", root)
	}
	spec, err := ParseRootSpec(root)
	if err != nil {
		return nil, err
	}
	return NewBlock(spec, env), nil
}

// isNetworkRoot tells the network forms of root= that Parse does not handle yet from the local ones.
func isNetworkRoot(root string, c Cmdline) bool {
	for _, p := range []string{"iscsi:"} {
		if strings.HasPrefix(root, p) {
			return true
		}
	}
	return c.Has("netroot")
}

// hostNote says how this host is configured, for a hint: " this host is 10.99.0.50/24 on eth0 (dhcp)".
func (e Env) hostNote() string {
	l := e.primaryLease()
	if l == nil {
		return ""
	}
	how := "dhcp"
	if l.Proto == ProtoStatic {
		how = "static"
	}
	return fmt.Sprintf(" this host is %s on %s (%s)", l.Prefix(), l.Interface, how)
}

// primaryLease is the lease the root server and root path come from.
func (e Env) primaryLease() *Lease {
	if e.Network == nil {
		return nil
	}
	if st := e.Network(); st != nil {
		return st.Primary()
	}
	return nil
}

// nfsLate resolves an NFS root against the lease when it is attached.
type nfsLate struct {
	r   NFSRoot
	env Env
	nfs Attacher
}

func (n *nfsLate) String() string {
	if n.nfs != nil {
		return n.nfs.String()
	}
	if n.r.Server == "" || n.r.Path == "" {
		return "nfs " + n.r.Source() + " (server/path from DHCP)"
	}
	return "nfs " + n.r.Source()
}

func (n *nfsLate) Attach(ctx context.Context) (Mount, error) {
	r, err := n.r.Resolve(n.env.primaryLease())
	if err != nil {
		return Mount{}, fmt.Errorf("attach %s: %w", n, err)
	}
	a := NewNFS(r)
	a.(*nfs).logf = n.env.Logf
	n.nfs = a
	m, err := attachWithAlternatives(ctx, n.nfs)
	if err != nil {
		return m, hint.Wrap(err, fmt.Sprintf("is an NFS server running on %s and exporting %s?%s", r.Server, r.Path, n.env.hostNote()))
	}
	return m, nil
}

// attachWithAlternatives attaches a and, when it offers several mount(2) calls (NFS versions),
// hands the rest over as alternatives for the caller to try in turn.
func attachWithAlternatives(ctx context.Context, a Attacher) (Mount, error) {
	m, err := a.Attach(ctx)
	if err != nil {
		return m, err
	}
	if mm, ok := a.(interface{ Mounts() []Mount }); ok {
		all := mm.Mounts()
		if len(all) > 1 {
			m = all[0]
			m.Alternatives = all[1:]
		}
	}
	return m, nil
}

// dhcpRoot is root=dhcp: the root comes from DHCP option 17 (root-path).
type dhcpRoot struct {
	c     Cmdline
	env   Env
	inner Attacher
}

func (d *dhcpRoot) String() string {
	if d.inner != nil {
		return d.inner.String() + " (from DHCP root-path)"
	}
	return "root from DHCP root-path"
}

func (d *dhcpRoot) Attach(ctx context.Context) (Mount, error) {
	inner, err := d.resolve()
	if err != nil {
		return Mount{}, err
	}
	d.inner = inner
	return attachWithAlternatives(ctx, d.inner)
}

// resolve picks the attacher for the root-path of the primary lease. An nbd: root-path gets
// the same settings as root=nbd:… (ParseNBDRootPath), so NBDSupervision finds it once attached.
func (d *dhcpRoot) resolve() (Attacher, error) {
	l := d.env.primaryLease()
	if l == nil {
		return nil, fmt.Errorf("attach %s: no DHCP lease (root=dhcp needs ip=dhcp or no ip=)", d)
	}
	rp := l.RootPath
	if rp == "" {
		return nil, fmt.Errorf("attach %s: the DHCP server (%s) sent no root-path (option 17) to %s", d, l.ServerID, l.Interface)
	}
	switch {
	case strings.HasPrefix(rp, "nbd:"):
		r, err := ParseNBDRootPath(d.c, rp)
		if err != nil {
			return nil, fmt.Errorf("attach %s: root-path %q: %w", d, rp, err)
		}
		return NewNBD(*r, d.env), nil
	case strings.HasPrefix(rp, "aoe:"):
		t, err := ParseAoETarget(strings.TrimPrefix(rp, "aoe:"))
		if err != nil {
			return nil, fmt.Errorf("attach %s: root-path %q: %v: expected aoe:%s", d, rp, err, aoeExpected)
		}
		return NewAoE(t, d.env), nil
	case strings.HasPrefix(rp, "iscsi:"):
		r, err := ParseISCSIRootPath(d.c, rp)
		if err != nil {
			return nil, fmt.Errorf("attach %s: %w", d, err)
		}
		return NewISCSI(*r, d.env), nil
	}
	r, err := ParseNFSRootPath(rp)
	if err != nil {
		return nil, fmt.Errorf("attach %s: root-path %q: %w", d, rp, err)
	}
	r, err = r.Resolve(l)
	if err != nil {
		return nil, fmt.Errorf("attach %s: %w", d, err)
	}
	a := NewNFS(r)
	a.(*nfs).logf = d.env.Logf
	return a, nil
}
