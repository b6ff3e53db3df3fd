package netroot

import (
	"strings"
	"testing"
)

// nbdTestCmdline is a command line for Parse: space-separated key=value words, last one wins.
type nbdTestCmdline map[string][]string

func nbdNewTestCmdline(line string) nbdTestCmdline {
	c := nbdTestCmdline{}
	for _, w := range strings.Fields(line) {
		k, v, _ := strings.Cut(w, "=")
		c[k] = append(c[k], v)
	}
	return c
}

func (c nbdTestCmdline) Get(k string) (string, bool) {
	if vs := c[k]; len(vs) > 0 {
		return vs[len(vs)-1], true
	}
	return "", false
}
func (c nbdTestCmdline) All(k string) []string { return c[k] }
func (c nbdTestCmdline) Has(k string) bool     { _, ok := c[k]; return ok }

// TestParseBlockNetRoots: the block-level network roots that need no root= (aoeroot=,
// nbdroot=) and block2mtd over AoE or NBD, where root= names the mtdblock device.
func TestParseBlockNetRoots(t *testing.T) {
	tests := []struct {
		line string
		want string // the attacher's String(), or the error
	}{
		{"aoeroot=e7.1", "aoe e7.1"},
		{"nbdroot=10.99.0.1/squash", `nbd 10.99.0.1:10809 export "squash"`},
		{"nbdroot=10.99.0.1/squash root=/dev/nbd0", `nbd 10.99.0.1:10809 export "squash"`},
		{"rootfstype=jffs2", `cmdline: no root= parameter: expected root=/dev/<name>, UUID=<uuid>, LABEL=<label>, PARTUUID=<uuid>, PARTLABEL=<label> or a network root`},
		{"block2mtd.block2mtd=/dev/etherd/e7.3,65536 rootfstype=jffs2 root=/dev/mtdblock0",
			"block /dev/mtdblock0 (mtd over aoe e7.3)"},
		{"block2mtd.block2mtd=/dev/nbd0,65536 nbdroot=10.99.0.1/jffs2 rootfstype=jffs2 root=/dev/mtdblock0",
			`block /dev/mtdblock0 (mtd over nbd 10.99.0.1:10809 export "jffs2")`},
		{"block2mtd.block2mtd=/dev/nbd2 nbdroot=10.99.0.1:10810 root=/dev/mtdblock0",
			`block /dev/mtdblock0 (mtd over nbd 10.99.0.1:10810 export "")`},
		{"block2mtd.block2mtd=/dev/vdb,65536 root=/dev/mtdblock0", "block /dev/mtdblock0"},
		{"block2mtd.block2mtd=/dev/nbd0,65536 root=/dev/mtdblock0",
			`cmdline: block2mtd.block2mtd="/dev/nbd0,65536": /dev/nbd0 needs nbdroot=<server>[:<port>][/<export>] to say where it comes from`},
		{"block2mtd.block2mtd=/dev/nbdx,65536 nbdroot=10.99.0.1/jffs2 root=/dev/mtdblock0",
			`cmdline: block2mtd.block2mtd="/dev/nbdx,65536": "/dev/nbdx" is not an NBD device; expected /dev/etherd/e<shelf>.<slot>,<erasesize> or /dev/nbd<N>,<erasesize>`},
		{"block2mtd.block2mtd=/dev/nbd01,65536 nbdroot=10.99.0.1/jffs2 root=/dev/mtdblock0",
			`cmdline: block2mtd.block2mtd="/dev/nbd01,65536": device number 01 has a leading zero; expected /dev/etherd/e<shelf>.<slot>,<erasesize> or /dev/nbd<N>,<erasesize>`},
		{"block2mtd.block2mtd=/dev/nbd0,65536 nbdroot=10.99.0.1:x/jffs2 root=/dev/mtdblock0",
			`cmdline: nbdroot="10.99.0.1:x/jffs2": port "x" is not a number; expected nbdroot=<server>[:<port>][/<exportname>]`},
		{"block2mtd.block2mtd=/dev/etherd/e7,65536 root=/dev/mtdblock0",
			`cmdline: block2mtd.block2mtd="/dev/etherd/e7,65536": "e7" has no . between shelf and slot: expected /dev/etherd/e<shelf>.<slot>,<erasesize> or /dev/nbd<N>,<erasesize>`},
		{"block2mtd.block2mtd=/dev/nbd0,65536 nbdroot=10.99.0.1/jffs2 root=mtd:flash",
			`cmdline: root="mtd:flash": expected /dev/<name>, UUID=<uuid>, LABEL=<label>, PARTUUID=<uuid> or PARTLABEL=<label>`},
	}
	for _, tt := range tests {
		a, err := Parse(nbdNewTestCmdline(tt.line), Env{})
		got := ""
		switch {
		case err != nil:
			got = err.Error()
		case a != nil:
			got = a.String()
		}
		if got != tt.want {
			t.Errorf("Parse(%q)\n got: %s\nwant: %s", tt.line, got, tt.want)
		}
	}
}

// TestParseBlock2MTDOverNBDDevice: the NBD device under block2mtd is the one block2mtd= names,
// and rootfstype=/ro reach the NBD root.
func TestParseBlock2MTDOverNBDDevice(t *testing.T) {
	a, err := Parse(nbdNewTestCmdline("block2mtd.block2mtd=/dev/nbd3,65536 nbdroot=10.99.0.1:10810/jffs2 rootfstype=jffs2 root=/dev/mtdblock0"), Env{})
	if err != nil {
		t.Fatal(err)
	}
	b, ok := a.(*block2mtd)
	if !ok {
		t.Fatalf("Parse = %T, want *block2mtd", a)
	}
	n, ok := b.under.(*nbdAttacher)
	if !ok {
		t.Fatalf("under = %T, want *nbdAttacher", b.under)
	}
	want := NBDRoot{Server: "10.99.0.1", Port: 10810, Export: "jffs2", Device: 3, FSType: "jffs2", ReadOnly: true,
		Timeout: NBDDefaultTimeout, DeadConnTimeout: NBDDefaultDeadConn}
	if n.root != want {
		t.Errorf("nbd root = %+v, want %+v", n.root, want)
	}
}
