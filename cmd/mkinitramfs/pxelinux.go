package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/goinit/goinit/boot"
	"github.com/goinit/goinit/netroot"
	"github.com/goinit/goinit/pxelinux"
	"github.com/goinit/goinit/union"
)

const pxelinuxUsage = `Usage:
  mkinitramfs pxelinux --tftp-root DIR --kernel VMLINUZ --initrd IMG --root ROOT
                       [--mac MAC]... [--ip IP]... [--overlay] [--ip-param dhcp] [--ipappend]
                       [--serial ttyS0,115200] [--append EXTRA] [--label NAME]
                       [--default-label NAME] [--from FILE]
  mkinitramfs pxelinux --show FILE

Writes a PXELINUX configuration into a TFTP root: DIR/pxelinux.cfg/default, one file per
--mac (01-<mac>) and per --ip (the address in upper-case hex), each with a LABEL whose APPEND
line is built from --root and the other flags, and copies (or hard-links) the kernel and the
initramfs into DIR. The APPEND line is checked with goinit's own parsers first, so a typo
fails here, not at the client's console; so does an IMG whose modules are for another kernel
release than VMLINUZ, or that lacks the modules the root needs (built with --roots nfs, booted
with --root aoe:e7.1). pxelinux.0 and ldlinux.c32 (Debian: pxelinux and syslinux-common) must
be in DIR too; the DHCP server names pxelinux.0 as the boot file.

--show FILE prints the labels and kernel command lines of an existing config, with goinit's
verdict on each label that names a root: its command line, and, for a config in
<root>/pxelinux.cfg/, its KERNEL and INITRD files held against each other and the root. It
exits 1 when goinit would fail to boot one of them.

Examples:
  mkinitramfs pxelinux --tftp-root /srv/tftp --kernel /boot/vmlinuz-6.1.0-56-amd64 \
      --initrd initrd.img --root nfs:10.99.0.1:/export --overlay --ipappend
  mkinitramfs pxelinux --tftp-root /srv/tftp --kernel /boot/vmlinuz-6.1.0-56-amd64 \
      --initrd initrd.img --root aoe:e7.1 --mac 52:54:00:12:34:56 --serial ttyS0,115200
  mkinitramfs pxelinux --tftp-root /srv/tftp --kernel vmlinuz --initrd initrd.img \
      --root /dev/nfs --append "nfsroot=10.99.0.1:/export,ro,nolock AUFS=1" --ip 10.99.0.50
  mkinitramfs pxelinux --show /srv/tftp/pxelinux.cfg/default

Flags:
`

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// pxeOptions are the flags of the pxelinux subcommand.
type pxeOptions struct {
	tftpRoot, kernel, initrd, root string
	macs, ips                      listFlag
	overlay, ipappend              bool
	ipParam, serial, extra         string
	label, defaultLabel, from      string
	show                           string
}

func runPxelinux(args []string) error {
	var o pxeOptions
	fs := flag.NewFlagSet("mkinitramfs pxelinux", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.tftpRoot, "tftp-root", "", "the TFTP server's root `DIR` (required)")
	fs.StringVar(&o.kernel, "kernel", "", "the kernel `VMLINUZ` to copy into DIR (required)")
	fs.StringVar(&o.initrd, "initrd", "", "the initramfs `IMG` to copy into DIR (required)")
	fs.StringVar(&o.root, "root", "", "the root= value, e.g. nfs:10.99.0.1:/export, aoe:e7.1, /dev/nfs (required)")
	fs.Var(&o.macs, "mac", "write pxelinux.cfg/01-<mac> for this client `MAC`; repeatable")
	fs.Var(&o.ips, "ip", "write pxelinux.cfg/<HEXIP> for this client `IP` address; repeatable")
	fs.BoolVar(&o.overlay, "overlay", false, "stack a writable tmpfs over the root (rd.overlay)")
	fs.StringVar(&o.ipParam, "ip-param", "", "add ip=`VALUE`, e.g. dhcp or a static ip= form (default: none, which means DHCP for a network root)")
	fs.BoolVar(&o.ipappend, "ipappend", false, "IPAPPEND 2: PXELINUX adds BOOTIF=<mac>, so goinit uses the NIC it booted from")
	fs.StringVar(&o.serial, "serial", "", "serial console `ttySN[,BAUD]`: SERIAL for PXELINUX and console= for the kernel")
	fs.StringVar(&o.extra, "append", "", "more kernel parameters, added at the end of APPEND")
	fs.StringVar(&o.label, "label", "goinit", "the LABEL `NAME`")
	fs.StringVar(&o.defaultLabel, "default-label", "", "DEFAULT label `NAME` (default: --label)")
	fs.StringVar(&o.from, "from", "", "start from this existing config `FILE`: keep its labels and settings, replace or add --label")
	fs.StringVar(&o.show, "show", "", "print the labels and command lines of the config `FILE` and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(os.Stdout, pxelinuxUsage)
			fs.SetOutput(os.Stdout)
			fs.PrintDefaults()
			return errHelpShown
		}
		return usagef("pxelinux: %v (see mkinitramfs pxelinux -h)", err)
	}
	if fs.NArg() > 0 {
		return usagef("pxelinux: unexpected argument %q: flags only (see mkinitramfs pxelinux -h)", fs.Arg(0))
	}
	if o.show != "" {
		c, err := readPxeConfig(o.show)
		if err != nil {
			return err
		}
		return showConfig(os.Stdout, o.show, c, tftpRootOf(o.show))
	}
	plan, err := o.plan()
	if err != nil {
		return usageError{err}
	}
	note := func(s string) { fmt.Fprintf(os.Stderr, "mkinitramfs: pxelinux: note: %s\n", s) }
	if err := checkImage(bootFiles{o.kernel, o.initrd, "--kernel", "--initrd"}, plan.label.Append, note); err != nil {
		return err
	}
	written, err := plan.write()
	if err != nil {
		return err
	}
	for _, w := range written {
		fmt.Println(w)
	}
	fmt.Printf("APPEND %s\n", plan.label.Append)
	return nil
}

// readPxeConfig reads and parses a config file.
func readPxeConfig(path string) (*pxelinux.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read pxelinux config: %w", err)
	}
	c, err := pxelinux.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("read pxelinux config %q: %w", path, err)
	}
	return c, nil
}

// showConfig prints a config's settings and, per label, what PXELINUX boots with which
// command line; lines that name a root get goinit's verdict on them and, when tftpRoot is
// known, on the label's kernel and initramfs files. It fails when a verdict is not ok.
func showConfig(w io.Writer, name string, c *pxelinux.Config, tftpRoot string) error {
	fmt.Fprintf(w, "%s: %d label(s)", name, len(c.Labels))
	if c.Default != "" {
		fmt.Fprintf(w, ", DEFAULT %s", c.Default)
	}
	if c.Serial != nil {
		fmt.Fprintf(w, ", SERIAL %d %d", c.Serial.Port, c.Serial.Baud)
	}
	fmt.Fprintln(w)
	def, _, _ := strings.Cut(c.Default, " ")
	var failed []string
	for i := range c.Labels {
		l := &c.Labels[i]
		mark := " "
		if l.Name == def {
			mark = "*"
		}
		kind := l.Kind
		if kind == "" {
			kind = "kernel"
		}
		fmt.Fprintf(w, "%s LABEL %s: %s %s", mark, l.Name, kind, l.Kernel)
		if l.Initrd != "" {
			fmt.Fprintf(w, ", initrd %s", l.Initrd)
		}
		if ip := c.EffectiveIPAppend(l); ip != 0 {
			fmt.Fprintf(w, ", IPAPPEND %d", ip)
		}
		fmt.Fprintln(w)
		cl := c.CommandLine(l)
		fmt.Fprintf(w, "    APPEND %s\n", cl)
		if namesRoot(cl) {
			verdict, fails := labelVerdict(l, cl, tftpRoot)
			for _, v := range verdict {
				fmt.Fprintf(w, "    goinit: %s\n", strings.ReplaceAll(v, "\n", "\n    goinit: "))
			}
			if fails {
				failed = append(failed, strconv.Quote(l.Name))
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("pxelinux: --show %s: goinit would fail to boot label %s (see above)", name, strings.Join(failed, ", "))
	}
	return nil
}

// namesRoot reports whether a command line is meant for goinit (names a root it reads).
func namesRoot(cl string) bool {
	p, _ := boot.ParseCmdline(cl)
	return p.Has("root") || p.Has("aoeroot") || p.Has("nbdroot")
}

// pxePlan is what the subcommand writes.
type pxePlan struct {
	o      pxeOptions
	config *pxelinux.Config
	label  pxelinux.Label
	names  []string // files under pxelinux.cfg/
}

// plan checks the flags, builds the APPEND line, validates it and assembles the config.
func (o pxeOptions) plan() (*pxePlan, error) {
	for _, f := range []struct{ name, v string }{{"tftp-root", o.tftpRoot}, {"kernel", o.kernel}, {"initrd", o.initrd}, {"root", o.root}} {
		if f.v == "" {
			return nil, fmt.Errorf("pxelinux: no --%s given (see mkinitramfs pxelinux -h)", f.name)
		}
	}
	if o.label == "" || strings.ContainsAny(o.label, " \t\n") {
		return nil, fmt.Errorf("pxelinux: --label %q: expected a name without spaces, e.g. --label goinit", o.label)
	}
	p := &pxePlan{o: o, config: &pxelinux.Config{}, names: []string{pxelinux.DefaultName}}
	for _, m := range o.macs {
		mac, err := net.ParseMAC(m)
		if err != nil || len(mac) != 6 {
			return nil, fmt.Errorf("pxelinux: --mac %q: expected an Ethernet MAC address, e.g. --mac 52:54:00:12:34:56", m)
		}
		p.names = append(p.names, pxelinux.MACName(mac))
	}
	for _, s := range o.ips {
		ip, err := netip.ParseAddr(s)
		if err != nil || !ip.Unmap().Is4() {
			return nil, fmt.Errorf("pxelinux: --ip %q: expected an IPv4 address, e.g. --ip 10.99.0.50", s)
		}
		p.names = append(p.names, pxelinux.IPName(ip))
	}
	appendLine, serial, err := o.appendLine()
	if err != nil {
		return nil, err
	}
	if err := checkAppend(appendLine); err != nil {
		return nil, fmt.Errorf("pxelinux: APPEND %s: goinit would fail to boot: %w", appendLine, err)
	}
	if o.from != "" {
		c, err := readPxeConfig(o.from)
		if err != nil {
			return nil, err
		}
		p.config = c
	}
	p.label = pxelinux.Label{Name: o.label, Kernel: filepath.Base(o.kernel), Initrd: filepath.Base(o.initrd), Append: appendLine}
	if o.ipappend {
		p.label.IPAppend = 2
	}
	if l := p.config.Label(o.label); l != nil {
		l.Kind, l.Kernel, l.Initrd, l.Append, l.IPAppend = "", p.label.Kernel, p.label.Initrd, p.label.Append, p.label.IPAppend
	} else {
		p.config.Labels = append(p.config.Labels, p.label)
	}
	switch {
	case o.defaultLabel != "":
		if p.config.Label(o.defaultLabel) == nil {
			return nil, fmt.Errorf("pxelinux: --default-label %q: no such label; the config has %s", o.defaultLabel, labelNames(p.config))
		}
		p.config.Default = o.defaultLabel
	case o.from == "" || p.config.Default == "":
		p.config.Default = o.label
	}
	if serial != nil {
		p.config.Serial = serial
	}
	return p, nil
}

func labelNames(c *pxelinux.Config) string {
	var n []string
	for _, l := range c.Labels {
		n = append(n, strconv.Quote(l.Name))
	}
	return strings.Join(n, ", ")
}

// appendLine builds the kernel command line from the flags.
func (o pxeOptions) appendLine() (string, *pxelinux.Serial, error) {
	root := strings.TrimPrefix(o.root, "root=")
	if root == "" || strings.ContainsAny(root, " \t\n\"") {
		return "", nil, fmt.Errorf("pxelinux: --root %q: expected one root= value, e.g. --root nfs:10.99.0.1:/export or --root aoe:e7.1", o.root)
	}
	parts := []string{"root=" + root}
	if o.overlay {
		parts = append(parts, "rd.overlay")
	}
	if o.ipParam != "" {
		if strings.ContainsAny(o.ipParam, " \t\n\"") {
			return "", nil, fmt.Errorf("pxelinux: --ip-param %q: expected one ip= value, e.g. --ip-param dhcp", o.ipParam)
		}
		parts = append(parts, "ip="+strings.TrimPrefix(o.ipParam, "ip="))
	}
	var serial *pxelinux.Serial
	if o.serial != "" {
		s, console, err := parseSerialFlag(o.serial)
		if err != nil {
			return "", nil, err
		}
		serial = s
		parts = append(parts, "console="+console)
	}
	if e := strings.TrimSpace(o.extra); e != "" {
		if strings.ContainsAny(e, "\n\r") {
			return "", nil, fmt.Errorf("pxelinux: --append %q: expected kernel parameters on one line", o.extra)
		}
		parts = append(parts, e)
	}
	return strings.Join(parts, " "), serial, nil
}

// parseSerialFlag reads --serial ttyS<N>[,<baud>]; the baud rate defaults to 115200.
func parseSerialFlag(v string) (*pxelinux.Serial, string, error) {
	bad := fmt.Errorf("pxelinux: --serial %q: expected ttyS<N>[,<baud>], e.g. --serial ttyS0,115200", v)
	dev, baud, hasBaud := strings.Cut(v, ",")
	n, ok := strings.CutPrefix(dev, "ttyS")
	if !ok {
		return nil, "", bad
	}
	port, err := strconv.Atoi(n)
	if err != nil || port < 0 || port > 3 || strconv.Itoa(port) != n {
		return nil, "", bad
	}
	rate := 115200
	if hasBaud {
		if rate, err = strconv.Atoi(baud); err != nil || rate <= 0 || strconv.Itoa(rate) != baud {
			return nil, "", bad
		}
	}
	return &pxelinux.Serial{Port: port, Baud: rate}, fmt.Sprintf("ttyS%d,%d", port, rate), nil
}

// checkAppend runs goinit's own parsers over a kernel command line: what goinit would refuse at
// the client's console is refused here.
func checkAppend(line string) error {
	p, err := boot.ParseCmdline(line)
	if err != nil {
		return err
	}
	if _, err := netroot.Parse(p, netroot.Env{}); err != nil {
		return err
	}
	if p.Overlay != "" {
		if _, err := union.ParseSpec(p.Overlay); err != nil {
			return err
		}
	}
	if netroot.NeedsNetwork(p) {
		if _, err := netroot.ParseNetwork(p); err != nil {
			return err
		}
	}
	return nil
}

// write puts the config files, the kernel and the initramfs into the TFTP root and returns
// one line per file written.
func (p *pxePlan) write() ([]string, error) {
	root := p.o.tftpRoot
	if st, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("write pxelinux config: --tftp-root: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("write pxelinux config: --tftp-root %q: not a directory", root)
	}
	var out []string
	for _, src := range []string{p.o.kernel, p.o.initrd} {
		dst := filepath.Join(root, filepath.Base(src))
		how, err := placeFile(src, dst)
		if err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("%s (%s)", dst, how))
	}
	dir := filepath.Join(root, "pxelinux.cfg")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write pxelinux config: %w", err)
	}
	text := pxelinux.Write(p.config)
	text = append([]byte("# Written by mkinitramfs pxelinux "+version+"\n"), text...)
	for _, n := range p.names {
		path := filepath.Join(dir, n)
		if err := writeFileAtomic(path, text, 0o644); err != nil {
			return nil, err
		}
		out = append(out, path)
	}
	return out, nil
}

// placeFile puts src at dst: nothing when dst already is src, else a hard link, else a copy
// (another filesystem). It says which it did.
func placeFile(src, dst string) (string, error) {
	si, err := os.Stat(src)
	if err != nil {
		return "", fmt.Errorf("place %s in the TFTP root: %w", src, err)
	}
	if !si.Mode().IsRegular() {
		return "", fmt.Errorf("place %s in the TFTP root: not a regular file", src)
	}
	if di, err := os.Stat(dst); err == nil && os.SameFile(si, di) {
		return "in place", nil
	}
	tmp := dst + ".tmp-mkinitramfs"
	os.Remove(tmp) //nolint:errcheck // a leftover of an interrupted run, if any
	if err := os.Link(src, tmp); err == nil {
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp) //nolint:errcheck
			return "", fmt.Errorf("place %s in the TFTP root: %w", src, err)
		}
		return "hard link", nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("place %s in the TFTP root: %w", src, err)
	}
	if err := writeFileAtomic(dst, data, 0o644); err != nil {
		return "", err
	}
	return "copy", nil
}

// writeFileAtomic writes data to a temporary file beside path and renames it into place, so a
// TFTP server never serves half a file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name()) //nolint:errcheck
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
