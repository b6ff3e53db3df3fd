package netroot

import (
	"context"
	"fmt"
	"strings"
)

// block2mtd is the seed's embedded setup: a flash image (jffs2) served as a network block
// device, turned into an MTD by block2mtd, mounted through mtdblock:
// block2mtd.block2mtd=/dev/etherd/e7.1,<erasesize> rootfstype=jffs2 root=/dev/mtdblock0.
type block2mtd struct {
	under Attacher // the network block device under the MTD
	root  *Block   // the mtdblock device
	env   Env
}

// parseBlock2MTD reads block2mtd over a network block device: block2mtd.block2mtd= names the
// device under the MTD, root= the mtdblock device. ok is false when there is no
// block2mtd.block2mtd= or it names a local device (block2mtd then loads like any module).
func parseBlock2MTD(c Cmdline, env Env) (a Attacher, ok bool, err error) {
	v, ok := c.Get("block2mtd.block2mtd")
	if !ok {
		return nil, false, nil
	}
	dev, _, _ := strings.Cut(v, ",")
	var under Attacher
	switch {
	case strings.HasPrefix(dev, "/dev/etherd/"):
		t, err := ParseAoETarget(strings.TrimPrefix(dev, "/dev/etherd/"))
		if err != nil {
			return nil, true, fmt.Errorf("cmdline: block2mtd.block2mtd=%q: %v: expected %s", v, err, block2mtdForm)
		}
		under = NewAoE(t, env)
	case strings.HasPrefix(dev, "/dev/nbd"):
		r, err := parseBlock2MTDNBD(c, v, dev)
		if err != nil {
			return nil, true, err
		}
		under = NewNBD(*r, env)
	default:
		return nil, false, nil
	}
	spec, err := ParseRootSpec(block2mtdRoot(c, under))
	if err != nil {
		return nil, true, err
	}
	return &block2mtd{under: under, root: NewBlock(spec, env), env: env}, true, nil
}

const block2mtdForm = "/dev/etherd/e<shelf>.<slot>,<erasesize> or /dev/nbd<N>,<erasesize>"

// parseBlock2MTDNBD reads the NBD device under the MTD: the device from block2mtd.block2mtd=
// (root= names the mtdblock device here, so ParseNBD, which wants root=/dev/nbdN or none, does
// not apply) and the server from nbdroot=, or from a goinit.altroot=nbd:… alternative.
func parseBlock2MTDNBD(c Cmdline, v, dev string) (*NBDRoot, error) {
	n, isDev, reason := nbdParseDevice(dev)
	if !isDev || reason != "" {
		if reason == "" {
			reason = fmt.Sprintf("%q is not an NBD device", dev)
		}
		return nil, fmt.Errorf("cmdline: block2mtd.block2mtd=%q: %s; expected %s", v, reason, block2mtdForm)
	}
	var r *NBDRoot
	var err error
	if alt, ok := block2mtdNBDAlternative(c); ok {
		r, err = parseNBDDracut(fmt.Sprintf("cmdline: root=%q", alt), alt)
	} else {
		nbdroot, ok := c.Get("nbdroot")
		if !ok {
			return nil, fmt.Errorf("cmdline: block2mtd.block2mtd=%q: %s needs nbdroot=<server>[:<port>][/<export>] to say where it comes from", v, dev)
		}
		r, err = parseNBDRootParam(nbdroot)
	}
	if err != nil {
		return nil, err
	}
	r.Device = n
	if err := nbdApplySettings(r, c); err != nil {
		return nil, err
	}
	return r, nil
}

// block2mtdNBDAlternative is the value of a goinit.altroot=nbd:… alternative of a block2mtd
// root: another server of the NBD device under the MTD (written like root=nbd:…), while the
// mtdblock device stays the one root= names. parseAlternatives parses each alternative with
// root= replaced by it.
func block2mtdNBDAlternative(c Cmdline) (string, bool) {
	alt, ok := c.(rootOverride)
	if !ok || !strings.HasPrefix(alt.root, "nbd:") {
		return "", false
	}
	return alt.root, true
}

// block2mtdRoot is the mtdblock device: root=, or under an NBD alternative the command line's
// own root=.
func block2mtdRoot(c Cmdline, under Attacher) string {
	if _, isNBD := under.(*nbdAttacher); isNBD {
		if _, ok := block2mtdNBDAlternative(c); ok {
			root, _ := c.(rootOverride).Cmdline.Get("root")
			return root
		}
	}
	root, _ := c.Get("root")
	return root
}

func (b *block2mtd) String() string {
	return b.root.String() + " (mtd over " + b.under.String() + ")"
}

func (b *block2mtd) Attach(ctx context.Context) (Mount, error) {
	if _, err := b.under.Attach(ctx); err != nil {
		return Mount{}, err
	}
	if b.env.LoadModule != nil {
		// block2mtd takes its block2mtd= parameter from the command line through the loader.
		for _, m := range []string{"block2mtd", "mtdblock"} {
			if err := b.env.LoadModule(ctx, m); err != nil {
				return Mount{}, fmt.Errorf("attach %s: load %s: %w", b, m, err)
			}
		}
	}
	return b.root.Attach(ctx)
}
