package netroot

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The NBD reconnect supervisor: a small process goinit leaves behind for an NBD root. When the
// kernel reports the connection dead, it dials the same or an alternative server, does the
// handshake for the same export and hands the new socket to the kernel (NBD_CMD_RECONFIGURE).
// Meanwhile I/O waits for up to the dead connection timeout set at NBD_CMD_CONNECT.

// NBDSupervisorPrefix starts the supervisor's argv[0] ("@goinit-nbd0"): the '@' asks systemd's
// shutdown to spare it, and goinit's main dispatches on it.
const NBDSupervisorPrefix = "@goinit-nbd"

const (
	// NBDDefaultDeadConn is goinit.nbd.deadconn's default: how long I/O waits for a reconnect.
	NBDDefaultDeadConn = 60 * time.Second
	// NBDDefaultTimeout is goinit.nbd.timeout's default: a request unanswered this long marks
	// the connection dead (and is requeued), so requests in flight when a server died resume.
	// It is also how long requests wait to move over after the stall watchdog dropped a
	// connection, which is why it is short: at 30 s a lossy boot lost up to half a minute per
	// stall. 10 s is NFS's timeo=100 over TCP too.
	NBDDefaultTimeout = 10 * time.Second
	nbdMaxSettingSecs = 3600
)

// NBDSupervisor is what the supervisor needs to know about an attached NBD root.
type NBDSupervisor struct {
	Index   int      // N of /dev/nbdN
	Export  string   // "" is the server's default export
	Servers []string // host:port, the one that attached first, then the alternatives
	// Size is the device's size in bytes: a server's export must have it to be taken. (The
	// supervisor cannot read /sys after the switch: its root is the deleted initramfs.)
	Size uint64
	// Timeout is the kernel's request timeout (goinit.nbd.timeout); the stall watchdog runs
	// only when it is set, since only then do requests move to a new connection.
	Timeout time.Duration
	// Sock is goinit's copy of the socket it handed to the kernel; the supervisor gets it as
	// file descriptor SockFD (nbdSupervisorSockFD) for the stall watchdog. 0: none.
	Sock   *os.File
	SockFD int
}

// nbdSupervisorSockFD is the supervisor's descriptor of the handed-over socket: the first after
// stdin, stdout and stderr.
const nbdSupervisorSockFD = 3

// nbdReconnectSettings reads goinit.nbd.deadconn= and goinit.nbd.timeout= into r.
func nbdReconnectSettings(c Cmdline, r *NBDRoot) error {
	r.DeadConnTimeout, r.Timeout = NBDDefaultDeadConn, NBDDefaultTimeout
	for _, p := range []struct {
		key, what string
		dst       *time.Duration
	}{
		{"goinit.nbd.deadconn", "how long I/O waits for a reconnect", &r.DeadConnTimeout},
		{"goinit.nbd.timeout", "after how long an unanswered request marks the connection dead", &r.Timeout},
	} {
		v, ok := c.Get(p.key)
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n > nbdMaxSettingSecs {
			return fmt.Errorf("cmdline: %s=%q: expected whole seconds 0-%d (%s; 0: the kernel's default)", p.key, v, nbdMaxSettingSecs, p.what)
		}
		*p.dst = time.Duration(n) * time.Second
	}
	return nil
}

// NBDSupervision returns what the supervisor needs for an attached root; ok is false when the
// root does not run on an NBD device goinit connected (or has not attached yet). The NBD device
// may be the root itself, the device under a block2mtd MTD, or the root a DHCP root-path named;
// with goinit.altroot= alternatives, the servers of the other alternatives that serve the same
// export on the same device follow the one that attached.
func NBDSupervision(a Attacher) (s NBDSupervisor, ok bool) {
	won, ok := nbdUnder(a)
	if !ok {
		return NBDSupervisor{}, false
	}
	s = NBDSupervisor{Index: won.root.Device, Export: won.root.Export, Servers: []string{won.root.Addr()},
		Timeout: won.root.Timeout, Sock: won.sock}
	m, ok := a.(*multi)
	if !ok {
		return s, true
	}
	for _, alt := range m.list {
		n, ok := nbdUnder(alt)
		if ok && n != won && n.root.Export == won.root.Export && n.root.Device == won.root.Device && !slices.Contains(s.Servers, n.root.Addr()) {
			s.Servers = append(s.Servers, n.root.Addr())
		}
	}
	return s, true
}

// nbdUnder finds the NBD attacher a root runs on: the root itself, the device under a block2mtd
// MTD, the root a DHCP root-path named (once Attach has read it) or, of alternatives, the one
// that attached. An alternative that did not attach yields its own NBD attacher.
func nbdUnder(a Attacher) (*nbdAttacher, bool) {
	switch a := a.(type) {
	case *nbdAttacher:
		return a, true
	case *block2mtd:
		return nbdUnder(a.under)
	case *dhcpRoot:
		return nbdUnder(a.inner)
	case *multi:
		return nbdUnder(a.won)
	}
	return nil, false
}

// Argv is the supervisor's command line: @goinit-nbd<N> index=<N> size=<bytes>
// [timeout=<seconds>] [sock=<fd>] export=<name> server=<addr>… (argv elements, so names with
// spaces need no quoting).
func (s NBDSupervisor) Argv() []string {
	argv := []string{fmt.Sprintf("%s%d", NBDSupervisorPrefix, s.Index), "index=" + strconv.Itoa(s.Index),
		"size=" + strconv.FormatUint(s.Size, 10)}
	if s.Timeout > 0 {
		argv = append(argv, "timeout="+strconv.FormatUint(nbdSeconds(s.Timeout), 10))
	}
	switch {
	case s.Sock != nil:
		argv = append(argv, "sock="+strconv.Itoa(nbdSupervisorSockFD))
	case s.SockFD > 0:
		argv = append(argv, "sock="+strconv.Itoa(s.SockFD))
	}
	argv = append(argv, "export="+s.Export)
	for _, a := range s.Servers {
		argv = append(argv, "server="+a)
	}
	return argv
}

// ParseNBDSupervisorArgs reads the arguments after argv[0] that Argv wrote.
func ParseNBDSupervisorArgs(args []string) (NBDSupervisor, error) {
	s := NBDSupervisor{Index: -1}
	haveExport := false
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		switch k {
		case "index":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > nbdMaxDevIndex {
				return NBDSupervisor{}, fmt.Errorf("nbd supervisor: argument %q: expected index=<0-%d>", a, nbdMaxDevIndex)
			}
			s.Index = n
		case "size":
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil || n == 0 {
				return NBDSupervisor{}, fmt.Errorf("nbd supervisor: argument %q: expected size=<bytes>, not zero", a)
			}
			s.Size = n
		case "timeout":
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil || n == 0 || n > nbdMaxSettingSecs {
				return NBDSupervisor{}, fmt.Errorf("nbd supervisor: argument %q: expected timeout=<1-%d seconds>", a, nbdMaxSettingSecs)
			}
			s.Timeout = time.Duration(n) * time.Second
		case "sock":
			n, err := strconv.Atoi(v)
			if err != nil || n < nbdSupervisorSockFD || n > math.MaxInt32 {
				return NBDSupervisor{}, fmt.Errorf("nbd supervisor: argument %q: expected sock=<file descriptor from %d>", a, nbdSupervisorSockFD)
			}
			s.SockFD = n
		case "export":
			s.Export, haveExport = v, true
		case "server":
			if _, _, reason := nbdSplitHostPort(v); reason != "" {
				return NBDSupervisor{}, fmt.Errorf("nbd supervisor: argument %q: %s; expected server=<host>:<port>", a, reason)
			}
			s.Servers = append(s.Servers, v)
		default:
			return NBDSupervisor{}, fmt.Errorf("nbd supervisor: argument %q: expected index=, size=, timeout=, sock=, export= or server=", a)
		}
	}
	switch {
	case s.Index < 0:
		return NBDSupervisor{}, fmt.Errorf("nbd supervisor: missing index=<N>")
	case s.Size == 0:
		return NBDSupervisor{}, fmt.Errorf("nbd supervisor: missing size=<bytes>")
	case !haveExport:
		return NBDSupervisor{}, fmt.Errorf("nbd supervisor: missing export=<name>")
	case len(s.Servers) == 0:
		return NBDSupervisor{}, fmt.Errorf("nbd supervisor: missing server=<host>:<port>")
	}
	return s, nil
}

// nbdSplitHostPort checks host:port (an IPv6 host in brackets); reason is "" when valid.
func nbdSplitHostPort(v string) (host string, port uint16, reason string) {
	i := strings.LastIndexByte(v, ':')
	if i < 0 {
		return "", 0, "missing :<port>"
	}
	host, p := v[:i], v[i+1:]
	if strings.HasPrefix(host, "[") {
		if !strings.HasSuffix(host, "]") {
			return "", 0, "missing ']' after the IPv6 server"
		}
		host = host[1 : len(host)-1]
	}
	if host == "" {
		return "", 0, "missing server"
	}
	if !nbdAllDigits(p) {
		return "", 0, fmt.Sprintf("port %q is not a number", p)
	}
	n, reason := nbdParsePort(p)
	return host, n, reason
}

// nbdLinkDeadIndex reads the device index from a NBD_CMD_LINK_DEAD multicast (a generic
// netlink payload); ok is false for any other message.
func nbdLinkDeadIndex(payload []byte) (int, bool) {
	if len(payload) < 4 || payload[0] != nbdCmdLinkDead {
		return 0, false
	}
	return nbdReplyIndex(payload)
}

const (
	nbdCmdLinkDead = 4
	nbdMcastGroup  = "nbd_mc_group"
)
