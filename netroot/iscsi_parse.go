package netroot

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ISCSIDefaultPort is the IANA port of iSCSI.
const ISCSIDefaultPort = 3260

// ISCSIAnyLUN asks for the first LUN that is a disk (the LUN field of the root was empty).
const ISCSIAnyLUN = -1

const (
	iscsiRootForm = "iscsi:[<user>:<password>[:<target-user>:<target-password>]@]<server>:[<proto>]:[<port>]:[<lun>]:[<target-iqn>]"
	iscsiMaxName  = 223 // RFC 3720 3.2.6.1: iSCSI names are at most 223 bytes
)

// ISCSICredentials are the CHAP secrets of one session. Username/Password authenticate the
// initiator to the target; InUsername/InPassword the target to the initiator (mutual CHAP).
// They never appear in String or in errors.
type ISCSICredentials struct {
	Username, Password     string
	InUsername, InPassword string
}

// Empty reports whether no credential is set.
func (c ISCSICredentials) Empty() bool {
	return c == ISCSICredentials{}
}

// fill takes every field c lacks from o.
func (c *ISCSICredentials) fill(o ISCSICredentials) {
	for _, p := range []struct {
		dst *string
		src string
	}{
		{&c.Username, o.Username}, {&c.Password, o.Password},
		{&c.InUsername, o.InUsername}, {&c.InPassword, o.InPassword},
	} {
		if *p.dst == "" {
			*p.dst = p.src
		}
	}
}

// check says what is incomplete; it never shows a password.
func (c ISCSICredentials) check() error {
	switch {
	case c.Username != "" && c.Password == "":
		return fmt.Errorf("CHAP user %q has no password (rd.iscsi.password= or the embedded secrets file)", c.Username)
	case c.Username == "" && c.Password != "":
		return fmt.Errorf("a CHAP password without a user (rd.iscsi.username= or the embedded secrets file)")
	case c.InUsername != "" && c.InPassword == "":
		return fmt.Errorf("target CHAP user %q has no password (rd.iscsi.in.password= or the embedded secrets file)", c.InUsername)
	case c.InUsername == "" && c.InPassword != "":
		return fmt.Errorf("a target CHAP password without a user (rd.iscsi.in.username= or the embedded secrets file)")
	case c.InUsername != "" && c.Username == "":
		return fmt.Errorf("mutual CHAP needs the initiator's own CHAP user and password too")
	}
	return nil
}

// ISCSIRoot is a parsed iSCSI root.
type ISCSIRoot struct {
	Server    string // host name or IP address, IPv6 without brackets; "" = from DHCP
	Port      uint16
	LUN       int64  // ISCSIAnyLUN: the first LUN that is a disk
	Target    string // "" = SendTargets discovery, the first target offered
	Initiator string // "" = derived from the MAC address at attach time
	Auth      ISCSICredentials
	// Block, when set, names the filesystem on the iSCSI disk (netroot=iscsi:… with a local
	// root= such as root=LABEL=rootfs); else the LUN's disk (or its first partition) is the root.
	Block *RootSpec

	FSType   string
	Options  string
	ReadOnly bool
}

// Addr is the portal's host:port, with brackets around an IPv6 address.
func (r ISCSIRoot) Addr() string {
	h := r.Server
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	return h + ":" + strconv.Itoa(int(r.Port))
}

// String names the root without any secret: `iscsi 10.99.0.1:3260 target "iqn…" lun 1`.
func (r ISCSIRoot) String() string {
	server := r.Addr()
	if r.Server == "" {
		server = "(DHCP server):" + strconv.Itoa(int(r.Port))
	}
	s := "iscsi " + server
	if r.Target == "" {
		s += " (target by discovery)"
	} else {
		s += fmt.Sprintf(" target %q", r.Target)
	}
	if r.LUN != ISCSIAnyLUN {
		s += " lun " + strconv.FormatInt(r.LUN, 10)
	}
	return s
}

// IsISCSIRoot reports whether the command line asks for an iSCSI root: root=iscsi[:…],
// netroot=iscsi[:…], or rd.iscsi.target.ip= without another network root.
func IsISCSIRoot(c Cmdline) bool {
	root, _ := c.Get("root")
	netroot, _ := c.Get("netroot")
	return isISCSIValue(root) || isISCSIValue(netroot) ||
		(c.Has("rd.iscsi.target.ip") && !c.Has("nbdroot") && !c.Has("aoeroot") && !isNetworkRootValue(root))
}

func isISCSIValue(v string) bool { return v == "iscsi" || strings.HasPrefix(v, "iscsi:") }

func isNetworkRootValue(v string) bool {
	for _, p := range []string{"nfs:", "nfs4:", "nbd:", "aoe:", "dhcp", "/dev/nfs"} {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}

// ParseISCSI reads an iSCSI root from the command line. The bool reports whether the command
// line asks for one at all. Forms (docs/cmdline.md):
//
//	root=iscsi:[<user>:<pass>[:<ruser>:<rpass>]@]<server>:[<proto>]:[<port>]:[<lun>]:[<target>]
//	netroot=iscsi:… with root=<local spec> naming the filesystem on the iSCSI disk
//	root=iscsi or netroot=iscsi with rd.iscsi.target.ip=, rd.iscsi.target.name=, rd.iscsi.target.port=
//
// rd.iscsi.initiator=, rd.iscsi.username=, rd.iscsi.password=, rd.iscsi.in.username= and
// rd.iscsi.in.password= fill in what root= leaves out; rootfstype=, rootflags= and ro/rw as
// for every root.
func ParseISCSI(c Cmdline) (*ISCSIRoot, bool, error) {
	if !IsISCSIRoot(c) {
		return nil, false, nil
	}
	root, _ := c.Get("root")
	netroot, hasNet := c.Get("netroot")
	var r *ISCSIRoot
	var err error
	switch {
	case isISCSIValue(netroot):
		r, err = parseISCSIValue(fmt.Sprintf("cmdline: netroot=%q", hideISCSIAuth(netroot)), netroot)
		if err == nil && root != "" && !isISCSIValue(root) {
			spec, serr := ParseRootSpec(root)
			if serr != nil {
				return nil, true, fmt.Errorf("%w (with netroot=iscsi:…, root= names the filesystem on the iSCSI disk)", serr)
			}
			r.Block = &spec
		}
	case hasNet && netroot != "":
		return nil, true, fmt.Errorf("cmdline: netroot=%q with root=%q: expected netroot=%s", netroot, hideISCSIAuth(root), iscsiRootForm)
	case isISCSIValue(root):
		r, err = parseISCSIValue(fmt.Sprintf("cmdline: root=%q", hideISCSIAuth(root)), root)
	default: // rd.iscsi.target.ip= alone; root= may name the filesystem
		r = &ISCSIRoot{Port: ISCSIDefaultPort, LUN: ISCSIAnyLUN}
		if root != "" {
			spec, serr := ParseRootSpec(root)
			if serr != nil {
				return nil, true, serr
			}
			r.Block = &spec
		}
	}
	if err != nil {
		return nil, true, err
	}
	if err := iscsiApplyParams(r, c); err != nil {
		return nil, true, err
	}
	iscsiApplyCommon(r, c)
	return r, true, nil
}

// ParseISCSIRootPath parses an iscsi: root path that DHCP option 17 delivered for root=dhcp;
// c supplies the rd.iscsi.* parameters, rootfstype=, rootflags= and ro/rw.
func ParseISCSIRootPath(c Cmdline, path string) (*ISCSIRoot, error) {
	r, err := parseISCSIValue(fmt.Sprintf("dhcp: root-path %q", hideISCSIAuth(path)), path)
	if err != nil {
		return nil, err
	}
	if err := iscsiApplyParams(r, c); err != nil {
		return nil, err
	}
	iscsiApplyCommon(r, c)
	return r, nil
}

// hideISCSIAuth replaces the credentials of an iscsi: value, for messages.
func hideISCSIAuth(v string) string {
	if !strings.HasPrefix(v, "iscsi:") {
		return v
	}
	if at := strings.LastIndexByte(v, '@'); at >= 0 {
		return "iscsi:<hidden>" + v[at:]
	}
	return v
}

// parseISCSIValue parses iscsi[:…] (RFC 4173 with dracut's credentials); subject starts every
// error and never holds a secret.
func parseISCSIValue(subject, v string) (*ISCSIRoot, error) {
	fail := func(reason string) error {
		return fmt.Errorf("%s: %s; expected %s", subject, reason, iscsiRootForm)
	}
	r := &ISCSIRoot{Port: ISCSIDefaultPort, LUN: ISCSIAnyLUN}
	if v == "iscsi" {
		return r, nil // everything from rd.iscsi.target.* or DHCP
	}
	rest, ok := strings.CutPrefix(v, "iscsi:")
	if !ok {
		return nil, fmt.Errorf("%s: expected %s", subject, iscsiRootForm)
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		auth := strings.Split(rest[:at], ":")
		rest = rest[at+1:]
		switch len(auth) {
		case 2:
			r.Auth = ISCSICredentials{Username: auth[0], Password: auth[1]}
		case 4:
			r.Auth = ISCSICredentials{Username: auth[0], Password: auth[1], InUsername: auth[2], InPassword: auth[3]}
		default:
			return nil, fail(fmt.Sprintf("the credentials before '@' have %d ':'-separated fields, want 2 (user:password) or 4 (user:password:target-user:target-password)", len(auth)))
		}
		if r.Auth.Username == "" || r.Auth.Password == "" {
			return nil, fail("empty CHAP user or password before '@'")
		}
		if len(auth) == 4 && (r.Auth.InUsername == "" || r.Auth.InPassword == "") {
			return nil, fail("empty target CHAP user or password before '@'")
		}
	}
	host, rest, reason := iscsiSplitHost(rest)
	if reason != "" {
		return nil, fail(reason)
	}
	r.Server = host
	// Four more ':'-separated fields: protocol, port, LUN, then the target name, which may
	// itself hold ':' (iqn.2001-04.com.example:storage).
	if rest == "" {
		return nil, fail("missing the ':'-separated fields after the server")
	}
	if rest[0] != ':' {
		return nil, fail(fmt.Sprintf("unexpected %q after the server", rest))
	}
	f := strings.SplitN(rest[1:], ":", 4)
	if len(f) < 4 {
		return nil, fail(fmt.Sprintf("%d of the 5 ':'-separated fields after \"iscsi:\"", len(f)+1))
	}
	proto, port, lun, target := f[0], f[1], f[2], f[3]
	if proto != "" && proto != "6" {
		return nil, fail(fmt.Sprintf("protocol %q is not 6 (TCP), the only one iSCSI uses", proto))
	}
	if port != "" {
		if !nbdAllDigits(port) {
			return nil, fail(fmt.Sprintf("port %q is not a number", port))
		}
		p, reason := nbdParsePort(port)
		if reason != "" {
			return nil, fail(reason)
		}
		r.Port = p
	}
	if lun != "" {
		n, reason := parseISCSILUN(lun)
		if reason != "" {
			return nil, fail(reason)
		}
		r.LUN = n
	}
	if target != "" {
		if reason := checkISCSIName(target); reason != "" {
			return nil, fail(reason)
		}
		r.Target = target
	}
	return r, nil
}

// iscsiSplitHost takes the server off the front of s: a bracketed IPv6 address, else
// everything up to the first ':'. An empty server is allowed (it comes from DHCP).
func iscsiSplitHost(s string) (host, rest, reason string) {
	if strings.HasPrefix(s, "[") {
		return nbdSplitHost(s, ":")
	}
	end := strings.IndexByte(s, ':')
	if end < 0 {
		end = len(s)
	}
	if end == 0 {
		return "", s, ""
	}
	return nbdSplitHost(s, ":")
}

// parseISCSILUN parses RFC 4173's LUN: hexadecimal, up to 16 digits, optionally in four
// dash-separated groups (0000-0000-0000-0001). The kernel addresses LUNs below 2^48 here.
func parseISCSILUN(s string) (int64, string) {
	h := strings.ReplaceAll(s, "-", "")
	if h == "" || len(h) > 16 {
		return 0, fmt.Sprintf("LUN %q is not 1 to 16 hexadecimal digits", s)
	}
	n, err := strconv.ParseUint(h, 16, 64)
	if err != nil {
		return 0, fmt.Sprintf("LUN %q is not hexadecimal", s)
	}
	if n >= 1<<48 {
		return 0, fmt.Sprintf("LUN %q is out of range (at most ffffffffffff)", s)
	}
	return int64(n), ""
}

// checkISCSIName says what is wrong with an iSCSI name (iqn., eui. or naa. form), or "".
func checkISCSIName(n string) string {
	if len(n) > iscsiMaxName {
		return fmt.Sprintf("iSCSI name of %d bytes, more than %d", len(n), iscsiMaxName)
	}
	l := strings.ToLower(n)
	if !strings.HasPrefix(l, "iqn.") && !strings.HasPrefix(l, "eui.") && !strings.HasPrefix(l, "naa.") {
		return fmt.Sprintf("iSCSI name %q does not start with iqn., eui. or naa.", n)
	}
	for _, ch := range n {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '-' || ch == ':') {
			return fmt.Sprintf("iSCSI name %q holds %q (allowed: letters, digits, '.', '-', ':')", n, ch)
		}
	}
	return ""
}

// iscsiApplyParams fills in the rd.iscsi.* parameters where the root form left fields empty.
func iscsiApplyParams(r *ISCSIRoot, c Cmdline) error {
	if v, ok := c.Get("rd.iscsi.target.ip"); ok && r.Server == "" {
		host := strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
		if a, err := netip.ParseAddr(host); err == nil {
			r.Server = a.String()
		} else if h, _, reason := nbdSplitHost(v, ""); reason == "" && h != "" {
			r.Server = h
		} else {
			return fmt.Errorf("cmdline: rd.iscsi.target.ip=%q: expected an IP address or host name", v)
		}
	}
	if v, ok := c.Get("rd.iscsi.target.port"); ok && r.Port == ISCSIDefaultPort {
		p, reason := nbdParsePort(v)
		if !nbdAllDigits(v) {
			reason = "not a number"
		}
		if reason != "" {
			return fmt.Errorf("cmdline: rd.iscsi.target.port=%q: expected a port 1-65535", v)
		}
		r.Port = p
	}
	if v, ok := c.Get("rd.iscsi.target.name"); ok && r.Target == "" {
		if reason := checkISCSIName(v); reason != "" {
			return fmt.Errorf("cmdline: rd.iscsi.target.name=%q: %s; expected e.g. iqn.2001-04.com.example:storage", v, reason)
		}
		r.Target = v
	}
	if v, ok := c.Get("rd.iscsi.initiator"); ok {
		if reason := checkISCSIName(v); reason != "" {
			return fmt.Errorf("cmdline: rd.iscsi.initiator=%q: %s; expected e.g. iqn.2001-04.com.example:client", v, reason)
		}
		r.Initiator = v
	}
	var p ISCSICredentials
	p.Username, _ = c.Get("rd.iscsi.username")
	p.Password, _ = c.Get("rd.iscsi.password")
	p.InUsername, _ = c.Get("rd.iscsi.in.username")
	p.InPassword, _ = c.Get("rd.iscsi.in.password")
	r.Auth.fill(p)
	return nil
}

// iscsiApplyCommon fills in rootfstype=, rootflags= and ro/rw.
func iscsiApplyCommon(r *ISCSIRoot, c Cmdline) {
	n := NBDRoot{FSType: r.FSType, Options: r.Options}
	nbdApplyCommon(&n, c)
	r.FSType, r.Options, r.ReadOnly = n.FSType, n.Options, n.ReadOnly
}

// DefaultISCSIInitiator is the initiator name goinit uses without rd.iscsi.initiator=: stable
// per machine, from the MAC address of the interface the root is reached through, e.g.
// iqn.2025-01.io.github.goinit:52-54-00-12-34-56.
func DefaultISCSIInitiator(mac string) string {
	m := strings.ToLower(strings.NewReplacer(":", "-").Replace(mac))
	if m == "" {
		m = "unknown"
	}
	return "iqn.2025-01.io.github.goinit:" + m
}
