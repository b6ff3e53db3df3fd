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

// parseBlock2MTD finds the network block device that block2mtd.block2mtd= names.
func parseBlock2MTD(c Cmdline, env Env) (Attacher, bool, error) {
	v, ok := c.Get("block2mtd.block2mtd")
	if !ok {
		return nil, false, nil
	}
	dev, _, _ := strings.Cut(v, ",")
	switch {
	case strings.HasPrefix(dev, "/dev/etherd/"):
		t, err := ParseAoETarget(strings.TrimPrefix(dev, "/dev/etherd/"))
		if err != nil {
			return nil, true, fmt.Errorf("cmdline: block2mtd.block2mtd=%q: %v: expected /dev/etherd/e<shelf>.<slot>,<erasesize> or /dev/nbd<N>,<erasesize>", v, err)
		}
		return NewAoE(t, env), true, nil
	case strings.HasPrefix(dev, "/dev/nbd"):
		// root= names the mtdblock device here, so ParseNBD (which wants root=/dev/nbdN or
		// none) does not apply: the device comes from block2mtd=, the server from nbdroot=.
		n, isDev, reason := nbdParseDevice(dev)
		if !isDev || reason != "" {
			if reason == "" {
				reason = fmt.Sprintf("%q is not an NBD device", dev)
			}
			return nil, true, fmt.Errorf("cmdline: block2mtd.block2mtd=%q: %s; expected /dev/etherd/e<shelf>.<slot>,<erasesize> or /dev/nbd<N>,<erasesize>", v, reason)
		}
		nbdroot, ok := c.Get("nbdroot")
		if !ok {
			return nil, true, fmt.Errorf("cmdline: block2mtd.block2mtd=%q: %s needs nbdroot=<server>[:<port>][/<export>] to say where it comes from", v, dev)
		}
		r, err := parseNBDRootParam(nbdroot)
		if err != nil {
			return nil, true, err
		}
		r.Device = n
		nbdApplyCommon(r, c)
		return NewNBD(*r, env), true, nil
	}
	return nil, false, nil // a local device: block2mtd loads like any module
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
