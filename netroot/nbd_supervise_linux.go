package netroot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/goinit/goinit/internal/daemon"
)

// RunNBDSupervisor is the supervisor process's main: it parses args (what
// NBDSupervisor.Argv wrote after argv[0]), listens on the nbd driver's multicast group for
// NBD_CMD_LINK_DEAD and reconnects the device each time. Lines go to logw (/dev/kmsg) prefixed
// with name. It returns only when it cannot watch the device at all.
func RunNBDSupervisor(name string, args []string, logw io.Writer) int {
	name = strings.TrimPrefix(name, "@")
	logf := func(format string, a ...any) {
		io.WriteString(logw, name+": "+fmt.Sprintf(format, a...)+"\n") //nolint:errcheck // nowhere else to report
	}
	spec, err := ParseNBDSupervisorArgs(args)
	if err != nil {
		logf("%v", err)
		return 2
	}
	w, err := nbdWatchLinkDead()
	if err != nil {
		logf("watch %s: %v; a dead connection will not be replaced", nbdDeviceName(spec.Index), err)
		return 1
	}
	defer unix.Close(w)
	r := newNBDReconnector(spec, logf)
	if sw := startNBDStallWatch(spec, logf); sw != nil {
		r.installed = func(conn net.Conn, addr string) {
			sc, ok := conn.(interface {
				io.Closer
				SyscallConn() (syscall.RawConn, error)
			})
			if !ok {
				conn.Close()
				logf("stall watchdog of %s: connection %T has no file descriptor", nbdDeviceName(spec.Index), conn)
				return
			}
			ws, err := nbdWatchSock(sc, addr)
			if err != nil {
				conn.Close()
				logf("stall watchdog of %s: %v", nbdDeviceName(spec.Index), err)
				return
			}
			sw.install(ws, true)
		}
	}
	logf("watching %s (export %q on %s)", nbdDeviceName(spec.Index), spec.Export, strings.Join(spec.Servers, ", "))
	for {
		dead, err := nbdNextLinkDead(w, spec.Index)
		if err != nil {
			logf("watch %s: %v", nbdDeviceName(spec.Index), err)
			if !errors.Is(err, unix.ENOBUFS) { // an overrun may have eaten our event: check anyway
				time.Sleep(time.Second)
				continue
			}
		} else if !dead {
			continue
		}
		began := time.Now()
		logf("connection of %s is dead: reconnecting", nbdDeviceName(spec.Index))
		addr, err := r.reconnect(context.Background())
		switch {
		case errors.Is(err, errNBDNotDead):
			logf("%s: no dead connection (already replaced)", nbdDeviceName(spec.Index))
		case err != nil:
			logf("%v", err)
		default:
			logf("reconnected %s to %s export %q in %s", nbdDeviceName(spec.Index), addr, spec.Export, time.Since(began).Round(10*time.Millisecond))
		}
	}
}

// startNBDStallWatch starts the stall watchdog on the socket goinit handed over (spec.SockFD)
// when the kernel has a request timeout to move requests to a new connection; nil when it
// cannot run (said in the log).
func startNBDStallWatch(spec NBDSupervisor, logf func(string, ...any)) *nbdStallWatch {
	dev := nbdDeviceName(spec.Index)
	var sock *os.File
	if spec.SockFD > 0 {
		sock = os.NewFile(uintptr(spec.SockFD), "nbd socket")
	}
	fail := func(format string, a ...any) *nbdStallWatch {
		if sock != nil {
			sock.Close()
		}
		logf("stall watchdog of %s: off: %s", dev, fmt.Sprintf(format, a...))
		return nil
	}
	switch {
	case spec.Timeout <= 0:
		return fail("no request timeout (goinit.nbd.timeout=0) to move requests to a new connection")
	case sock == nil:
		return fail("no copy of the socket")
	}
	inflight, err := os.Open(fmt.Sprintf("/sys/block/nbd%d/inflight", spec.Index))
	if err != nil {
		return fail("%v", err)
	}
	ws, err := nbdWatchSock(sock, spec.Servers[0])
	if err != nil {
		inflight.Close()
		return fail("%v", err)
	}
	sw := &nbdStallWatch{dev: dev, timeout: spec.Timeout, inflight: inflight, logf: logf}
	sw.judge.after = nbdStallAfter
	sw.install(ws, false)
	go sw.run(time.Second)
	return sw
}

// nbdWatchLinkDead opens a generic netlink socket subscribed to the nbd multicast group.
func nbdWatchLinkDead() (int, error) {
	fam, err := netlink.GenlFamilyGet(nbdGenlFamily)
	if err != nil {
		return -1, fmt.Errorf("generic netlink family %q: %w", nbdGenlFamily, err)
	}
	group := uint32(0)
	for _, g := range fam.Groups {
		if g.Name == nbdMcastGroup {
			group = g.ID
		}
	}
	if group == 0 {
		return -1, fmt.Errorf("generic netlink family %q has no multicast group %q", nbdGenlFamily, nbdMcastGroup)
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_GENERIC)
	if err != nil {
		return -1, fmt.Errorf("netlink socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("bind netlink socket: %w", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, int(group)); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("join multicast group %q (%d): %w", nbdMcastGroup, group, err)
	}
	return fd, nil
}

// nbdNextLinkDead reads one datagram and reports whether it says device index died.
func nbdNextLinkDead(fd, index int) (bool, error) {
	buf := make([]byte, 16<<10)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		if errors.Is(err, unix.EINTR) {
			return false, nil
		}
		return false, fmt.Errorf("read multicast: %w", err)
	}
	msgs, err := syscall.ParseNetlinkMessage(buf[:n])
	if err != nil {
		return false, nil // not ours to judge: skip a malformed datagram
	}
	for _, m := range msgs {
		if i, ok := nbdLinkDeadIndex(m.Data); ok && i == index {
			return true, nil
		}
	}
	return false, nil
}

// StartNBDSupervisor starts the supervisor running exe (goinit's own image, still mapped after
// the initramfs is deleted) with daemon.Start and returns its PID.
func StartNBDSupervisor(exe string, s NBDSupervisor) (int, error) {
	if s.Size == 0 {
		n, err := nbdDeviceSize("", s.Index)
		if err != nil {
			return 0, fmt.Errorf("start %s%d: %w", NBDSupervisorPrefix, s.Index, err)
		}
		s.Size = n
	}
	if s.Sock != nil {
		defer s.Sock.Close() // the supervisor has its own copy, or none if it did not start
	}
	var extra []*os.File
	if s.Sock != nil {
		extra = append(extra, s.Sock) // nbdSupervisorSockFD
	}
	return daemon.Start(exe, s.Argv(), []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, extra...)
}
