package netroot

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// NBDDefaultPort is the IANA port of NBD's newstyle negotiation.
const NBDDefaultPort = 10809

const (
	nbdRootForm    = "nbd:<server>:<port-or-exportname>[:<fstype>[:<mountopts>]]"
	nbdrootForm    = "<server>[:<port>][/<exportname>]"
	nbdDevForm     = "/dev/nbd<N>"
	nbdMaxNameLen  = 4096 // the protocol's limit for strings
	nbdMaxDevIndex = 1<<15 - 1
)

// NBDRoot is a parsed NBD root: where the export is and how to mount the device.
type NBDRoot struct {
	Server string // host name or IP address; IPv6 without brackets
	Port   uint16
	Export string // "" asks for the server's default export
	Device int    // N of /dev/nbdN

	FSType   string // "" lets the caller probe
	Options  string // mount(2) data, without ro/rw/defaults
	ReadOnly bool   // ro (the default) unless rw was asked for

	// Kernel settings for the hand-off; zero leaves the kernel's default (wait for ever for a
	// request; no grace period for a dead connection).
	Timeout         time.Duration
	DeadConnTimeout time.Duration
}

// Addr is the server's host:port, with brackets around an IPv6 address.
func (r NBDRoot) Addr() string {
	return net.JoinHostPort(r.Server, strconv.Itoa(int(r.Port)))
}

// DevicePath is /dev/nbdN.
func (r NBDRoot) DevicePath() string { return fmt.Sprintf("/dev/nbd%d", r.Device) }

// String names the root the way the console shows it: `nbd 10.99.0.1:10809 export "root"`.
func (r NBDRoot) String() string {
	return fmt.Sprintf("nbd %s export %q", r.Addr(), r.Export)
}

// ParseNBD reads an NBD root from the command line. The bool reports whether the command line
// asks for an NBD root at all (root=nbd:…, nbdroot=, or root=/dev/nbdN); the error says what is
// wrong with one that does. Forms:
//
//	root=nbd:<server>:<port-or-exportname>[:<fstype>[:<mountopts>]]   (dracut)
//	nbdroot=<server>[:<port>][/<exportname>] [root=/dev/nbd<N>]
//
// In the dracut form a numeric second field is a port (default export), anything else an
// export name on port 10809. rootfstype= and rootflags= fill in what root= leaves out; ro/rw
// (and ro/rw among the mount options) set ReadOnly.
func ParseNBD(c Cmdline) (*NBDRoot, bool, error) {
	root, hasRoot := c.Get("root")
	if hasRoot && strings.HasPrefix(root, "nbd:") {
		r, err := parseNBDDracut(fmt.Sprintf("cmdline: root=%q", root), root)
		if err != nil {
			return nil, true, err
		}
		if err := nbdApplySettings(r, c); err != nil {
			return nil, true, err
		}
		return r, true, nil
	}
	nbdroot, hasNBDRoot := c.Get("nbdroot")
	dev, isDev, devReason := -1, false, ""
	if hasRoot {
		dev, isDev, devReason = nbdParseDevice(root)
	}
	switch {
	case isDev && devReason != "":
		return nil, true, fmt.Errorf("cmdline: root=%q: %s; expected %s", root, devReason, nbdDevForm)
	case !hasNBDRoot && !isDev:
		return nil, false, nil
	case !hasNBDRoot:
		return nil, true, fmt.Errorf("cmdline: root=%q: an NBD device needs nbdroot=%s", root, nbdrootForm)
	case hasRoot && !isDev:
		return nil, true, fmt.Errorf("cmdline: root=%q with nbdroot=%q: expected root=%s or no root=", root, nbdroot, nbdDevForm)
	}
	r, err := parseNBDRootParam(nbdroot)
	if err != nil {
		return nil, true, err
	}
	if isDev {
		r.Device = dev
	}
	if err := nbdApplySettings(r, c); err != nil {
		return nil, true, err
	}
	return r, true, nil
}

// ParseNBDRootPath parses an `nbd:` root path that DHCP option 17 delivered for root=dhcp, in
// the dracut form of root=; c supplies rootfstype=, rootflags=, ro/rw and the reconnect
// timeouts (goinit.nbd.deadconn=, goinit.nbd.timeout=).
func ParseNBDRootPath(c Cmdline, path string) (*NBDRoot, error) {
	r, err := parseNBDDracut(fmt.Sprintf("dhcp: root-path %q", path), path)
	if err != nil {
		return nil, err
	}
	if err := nbdApplySettings(r, c); err != nil {
		return nil, err
	}
	return r, nil
}

// parseNBDDracut parses nbd:<server>:<port-or-exportname>[:<fstype>[:<mountopts>]]; subject
// starts every error.
func parseNBDDracut(subject, v string) (*NBDRoot, error) {
	fail := func(reason string) error {
		if reason == "" {
			return fmt.Errorf("%s: expected %s", subject, nbdRootForm)
		}
		return fmt.Errorf("%s: %s; expected %s", subject, reason, nbdRootForm)
	}
	rest, ok := strings.CutPrefix(v, "nbd:")
	if !ok {
		return nil, fail("")
	}
	host, rest, reason := nbdSplitHost(rest, ":")
	if reason != "" {
		return nil, fail(reason)
	}
	if rest == "" {
		return nil, fail("missing port or export name")
	}
	if rest[0] != ':' {
		return nil, fail(fmt.Sprintf("unexpected %q after the server", rest))
	}
	fields := strings.Split(rest[1:], ":")
	if fields[0] == "" {
		if len(fields) > 1 {
			return nil, fail("empty port or export name (an IPv6 server needs brackets: nbd:[fd00::1]:root)")
		}
		return nil, fail("missing port or export name")
	}
	if len(fields) > 3 {
		return nil, fail("too many ':'-separated fields")
	}
	r := &NBDRoot{Server: host, Port: NBDDefaultPort, ReadOnly: true}
	if nbdAllDigits(fields[0]) {
		p, reason := nbdParsePort(fields[0])
		if reason != "" {
			return nil, fail(reason)
		}
		r.Port = p
	} else {
		if len(fields[0]) > nbdMaxNameLen {
			return nil, fail(fmt.Sprintf("export name longer than %d bytes", nbdMaxNameLen))
		}
		r.Export = fields[0]
	}
	if len(fields) > 1 {
		r.FSType = fields[1]
	}
	if len(fields) > 2 {
		r.Options = fields[2]
	}
	return r, nil
}

// parseNBDRootParam parses nbdroot=<server>[:<port>][/<exportname>].
func parseNBDRootParam(v string) (*NBDRoot, error) {
	fail := func(reason string) error {
		return fmt.Errorf("cmdline: nbdroot=%q: %s; expected nbdroot=%s", v, reason, nbdrootForm)
	}
	host, rest, reason := nbdSplitHost(v, ":/")
	if reason != "" {
		return nil, fail(reason)
	}
	r := &NBDRoot{Server: host, Port: NBDDefaultPort, ReadOnly: true}
	if p, ok := strings.CutPrefix(rest, ":"); ok {
		port := p
		if i := strings.IndexByte(p, '/'); i >= 0 {
			port = p[:i]
		}
		switch {
		case port == "":
			return nil, fail("empty port")
		case strings.Contains(port, ":"):
			return nil, fail("port " + strconv.Quote(port) + " is not a number (an IPv6 server needs brackets: [fd00::1]:10809)")
		case !nbdAllDigits(port):
			return nil, fail("port " + strconv.Quote(port) + " is not a number")
		}
		n, reason := nbdParsePort(port)
		if reason != "" {
			return nil, fail(reason)
		}
		r.Port = n
		rest = p[len(port):]
	}
	if name, ok := strings.CutPrefix(rest, "/"); ok {
		if len(name) > nbdMaxNameLen {
			return nil, fail(fmt.Sprintf("export name longer than %d bytes", nbdMaxNameLen))
		}
		r.Export = name
		rest = ""
	}
	if rest != "" {
		return nil, fail(fmt.Sprintf("unexpected %q after the server", rest))
	}
	return r, nil
}

// nbdSplitHost takes the server off the front of s: a bracketed IPv6 address, or everything up
// to the first of stops. It returns the host, the rest and a reason when the host is invalid.
func nbdSplitHost(s, stops string) (host, rest, reason string) {
	if inner, ok := strings.CutPrefix(s, "["); ok {
		end := strings.IndexByte(inner, ']')
		if end < 0 {
			return "", "", "missing ']' after the IPv6 server"
		}
		host, rest = inner[:end], inner[end+1:]
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() {
			return "", "", fmt.Sprintf("[%s] is not an IPv6 address", host)
		}
		return host, rest, ""
	}
	end := strings.IndexAny(s, stops)
	if end < 0 {
		end = len(s)
	}
	host, rest = s[:end], s[end:]
	if host == "" {
		return "", "", "missing server"
	}
	for _, ch := range host {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '-' || ch == '_') {
			return "", "", fmt.Sprintf("server %q is not a host name or IP address", host)
		}
	}
	return host, rest, ""
}

func nbdAllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// nbdParsePort parses a decimal port 1-65535; the reason is empty when it is valid.
func nbdParsePort(s string) (uint16, string) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Sprintf("port %s is out of range 1-65535", s)
	}
	return uint16(n), ""
}

// nbdParseDevice recognises /dev/nbd<digits>: isDev says whether root has that shape, and
// reason, when not empty, why the number is not a usable device number.
func nbdParseDevice(root string) (index int, isDev bool, reason string) {
	num, ok := strings.CutPrefix(root, "/dev/nbd")
	if !ok || !nbdAllDigits(num) {
		return -1, false, ""
	}
	n, err := strconv.Atoi(num)
	switch {
	case len(num) > 1 && num[0] == '0':
		return -1, true, fmt.Sprintf("device number %s has a leading zero", num)
	case err != nil || n > nbdMaxDevIndex:
		return -1, true, fmt.Sprintf("device number %s is out of range 0-%d", num, nbdMaxDevIndex)
	}
	return n, true, ""
}

// nbdApplySettings is what every NBD root takes from the command line besides its own form:
// rootfstype=, rootflags=, ro/rw (nbdApplyCommon) and the reconnect timeouts. Every parser that
// builds an NBD root (root=, nbdroot=, a DHCP root-path, the device under block2mtd) calls it, so
// every NBD device gets the same dead-connection timeout for its supervisor to work within.
func nbdApplySettings(r *NBDRoot, c Cmdline) error {
	nbdApplyCommon(r, c)
	return nbdReconnectSettings(c, r)
}

// nbdApplyCommon fills in rootfstype=, rootflags= and ro/rw, and moves ro/rw/defaults out of
// the mount options into ReadOnly.
func nbdApplyCommon(r *NBDRoot, c Cmdline) {
	if r.FSType == "" {
		if v, ok := c.Get("rootfstype"); ok {
			r.FSType = v
		}
	}
	if r.Options == "" {
		if v, ok := c.Get("rootflags"); ok {
			r.Options = v
		}
	}
	r.ReadOnly = !c.Has("rw") || c.Has("ro")
	var keep []string
	for _, o := range strings.Split(r.Options, ",") {
		switch o {
		case "":
		case "ro":
			r.ReadOnly = true
		case "rw":
			r.ReadOnly = false
		case "defaults":
		default:
			keep = append(keep, o)
		}
	}
	r.Options = strings.Join(keep, ",")
}
