package netroot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// nfsPort is where an NFS server listens (v4 always; v3 servers almost always).
const nfsPort = 2049

// DefaultAttachTimeout bounds Attach when its context has no deadline (rd.retry's default).
const DefaultAttachTimeout = 180 * time.Second

// Back-off between reachability tries: the first pause, doubling up to the cap.
const (
	nfsFirstPause = 500 * time.Millisecond
	nfsMaxPause   = 5 * time.Second
	nfsMaxDial    = 5 * time.Second
)

type nfs struct {
	r    NFSRoot
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	logf func(string, ...any) // progress while the server does not answer
}

// NewNFS returns the Attacher of a resolved NFS root (see NFSRoot.Resolve). Attach checks that
// the server answers on its NFS port and returns the first of Mounts; the caller mounts and,
// if that fails, tries the next of Mounts.
func NewNFS(r NFSRoot) Attacher {
	d := &net.Dialer{}
	return &nfs{r: r, dial: d.DialContext}
}

func (n *nfs) String() string { return "nfs " + n.r.Source() }

// Attach waits, within ctx's deadline, until the server accepts a TCP connection on its NFS
// port (2049, or port= from the options), trying again with back-off.
func (n *nfs) Attach(ctx context.Context) (Mount, error) {
	if _, err := netip.ParseAddr(n.r.Server); err != nil {
		return Mount{}, fmt.Errorf("attach %s: server %q is not an IP address (goinit does not resolve host names: give the server's IP)", n, n.r.Server)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultAttachTimeout)
		defer cancel()
	}
	addr := net.JoinHostPort(n.r.Server, strconv.Itoa(n.port()))
	start := time.Now()
	pause := nfsFirstPause
	var last error
	tries := 0
	prog := newProgress(n.logf, fmt.Sprintf("%s: server %s", n, addr))
	for {
		tries++
		dctx, cancel := context.WithTimeout(ctx, nfsMaxDial)
		c, err := n.dial(dctx, "tcp", addr)
		cancel()
		if err == nil {
			c.Close()
			return n.Mounts()[0], nil
		}
		last = err
		prog.note(ctx, tries, dialCause(err))
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return Mount{}, fmt.Errorf("attach %s: server %s unreachable after %d %s in %s: %w",
				n, addr, tries, plural(tries, "try", "tries"), roundDur(time.Since(start)), dialCause(last))
		}
		pause = min(pause*2, nfsMaxPause)
	}
}

// port is port= from the options when it names one, else 2049.
func (n *nfs) port() int {
	for _, o := range n.r.Options {
		if v, ok := strings.CutPrefix(o, "port="); ok {
			if p, err := strconv.Atoi(v); err == nil && p > 0 && p < 65536 {
				return p
			}
		}
	}
	return nfsPort
}

// dialCause digs the system error out of a dial error ("connection refused", "no route to
// host"), or says the server did not answer.
func dialCause(err error) error {
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return errNoAnswer
	}
	return err
}

var errNoAnswer = errors.New("no answer")

// ExplainMountError gives the console hint for a failed mount(2) of an NFS Mount, or "".
func ExplainMountError(err error, m Mount) string {
	server, path, _ := strings.Cut(m.Source, ":/")
	path = "/" + path
	server = strings.Trim(server, "[]")
	vers := ""
	for _, o := range strings.Split(m.Data, ",") {
		if v, ok := strings.CutPrefix(o, "vers="); ok {
			vers = v
		}
	}
	switch {
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return fmt.Sprintf("the server %s refused the export %q (NFS v%s): check the path and that the export allows this client", server, path, vers)
	case errors.Is(err, unix.EPROTONOSUPPORT), errors.Is(err, unix.ENODEV):
		return fmt.Sprintf("the kernel has no NFS v%s client (%s): the nfs and nfsv%s modules are missing from the image or were not loaded", vers, m.FSType, strings.Split(vers, ".")[0])
	case errors.Is(err, unix.ETIMEDOUT):
		return fmt.Sprintf("the server %s did not answer the NFS v%s mount in time: is the NFS server running and reachable?", server, vers)
	case errors.Is(err, unix.ECONNREFUSED):
		if strings.HasPrefix(vers, "4") {
			return fmt.Sprintf("the server %s refused the connection: is the NFS server running?", server)
		}
		return fmt.Sprintf("the server %s refused the connection: NFS v%s also needs rpcbind (port 111) and mountd on the server", server, vers)
	case errors.Is(err, unix.EINVAL):
		return fmt.Sprintf("the kernel rejected the NFS mount options %q", m.Data)
	}
	return ""
}
