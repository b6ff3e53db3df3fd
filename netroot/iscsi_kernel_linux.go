package netroot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// iscsiNL is a NETLINK_ISCSI socket.
type iscsiNL struct {
	fd     int
	handle uint64
	seq    uint32
}

// iscsiTransportHandle reads the handle of the kernel's iSCSI transport (tcp for iscsi_tcp).
func iscsiTransportHandle(sysRoot, name string) (uint64, error) {
	p := filepath.Join(sysRoot, "/sys/class/iscsi_transport", name, "handle")
	b, err := os.ReadFile(p)
	if err != nil {
		return 0, fmt.Errorf("iscsi transport %s: %w (is iscsi_tcp loaded?)", name, err)
	}
	h, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("iscsi transport %s: %s holds %q", name, p, strings.TrimSpace(string(b)))
	}
	return h, nil
}

func openISCSINL(handle uint64) (*iscsiNL, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, iscsiNetlinkProto)
	if err != nil {
		return nil, fmt.Errorf("open iscsi netlink: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind iscsi netlink: %w", err)
	}
	tv := unix.NsecToTimeval((10 * time.Second).Nanoseconds())
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv) //nolint:errcheck
	return &iscsiNL{fd: fd, handle: handle}, nil
}

func (n *iscsiNL) Close() error { return unix.Close(n.fd) }

// call sends one uevent and returns the kernel's reply (a struct iscsi_uevent). checkRet says
// whether r.retcode carries the result (bind, set_param, start).
func (n *iscsiNL) call(op string, typ uint32, u, data []byte, checkRet bool) ([]byte, error) {
	n.seq++
	payload := iscsiUevent(typ, n.handle, u, data)
	msg := make([]byte, unix.NLMSG_HDRLEN+len(payload))
	binary.NativeEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.NativeEndian.PutUint16(msg[4:], uint16(typ))
	binary.NativeEndian.PutUint16(msg[6:], unix.NLM_F_REQUEST)
	binary.NativeEndian.PutUint32(msg[8:], n.seq)
	copy(msg[unix.NLMSG_HDRLEN:], payload)
	if err := unix.Sendto(n.fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("iscsi netlink %s: send: %w", op, err)
	}
	buf := make([]byte, 8192)
	for {
		nr, _, err := unix.Recvfrom(n.fd, buf, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("iscsi netlink %s: no answer from the kernel: %w", op, err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:nr])
		if err != nil {
			return nil, fmt.Errorf("iscsi netlink %s: %w", op, err)
		}
		for _, m := range msgs {
			if m.Header.Type == unix.NLMSG_ERROR && len(m.Data) >= 4 {
				if e := int32(binary.NativeEndian.Uint32(m.Data)); e != 0 {
					return nil, fmt.Errorf("iscsi netlink %s: %w", op, syscall.Errno(-e))
				}
				continue
			}
			if uint32(m.Header.Type) != typ || len(m.Data) < iscsiUeventLen {
				continue
			}
			ev := m.Data
			if t := binary.NativeEndian.Uint32(ev[0:]); t == iscsiKeventIfError {
				e := int32(binary.NativeEndian.Uint32(ev[4:]))
				return nil, fmt.Errorf("iscsi netlink %s: %w", op, syscall.Errno(-e))
			}
			if e := int32(binary.NativeEndian.Uint32(ev[4:])); e != 0 {
				return nil, fmt.Errorf("iscsi netlink %s: %w", op, syscall.Errno(-e))
			}
			if checkRet {
				if rc := int32(binary.NativeEndian.Uint32(ev[40:])); rc != 0 {
					if rc < 0 {
						rc = -rc
					}
					return nil, fmt.Errorf("iscsi netlink %s: %w", op, syscall.Errno(rc))
				}
			}
			return ev, nil
		}
	}
}

// iscsiKernelStart creates a session and a connection in the kernel, binds the logged-in
// socket to it, sets the negotiated parameters and starts the connection.
func iscsiKernelStart(sysRoot string, r iscsiKernelRequest) (iscsiKernelSession, error) {
	var s iscsiKernelSession
	name := r.TransportName
	if name == "" {
		name = "tcp"
	}
	h, err := iscsiTransportHandle(sysRoot, name)
	if err != nil {
		return s, err
	}
	n, err := openISCSINL(h)
	if err != nil {
		return s, err
	}
	defer n.Close()
	u := make([]byte, 8)
	binary.NativeEndian.PutUint32(u[0:], r.InitialCmdSN)
	binary.NativeEndian.PutUint16(u[4:], iscsiCmdsMax)
	binary.NativeEndian.PutUint16(u[6:], iscsiQueueDepth)
	ev, err := n.call("create session", iscsiUeventCreateSession, u, nil, false)
	if err != nil {
		return s, err
	}
	s.SID = binary.NativeEndian.Uint32(ev[40:])
	s.HostNo = binary.NativeEndian.Uint32(ev[44:])
	fail := func(err error, conn bool) (iscsiKernelSession, error) {
		if conn {
			n.call("destroy connection", iscsiUeventDestroyConn, iscsiU32s(s.SID, s.CID), nil, false) //nolint:errcheck
		}
		n.call("destroy session", iscsiUeventDestroySession, iscsiU32s(s.SID), nil, false) //nolint:errcheck
		return iscsiKernelSession{}, err
	}
	ev, err = n.call("create connection", iscsiUeventCreateConn, iscsiU32s(s.SID, 0), nil, false)
	if err != nil {
		return fail(err, false)
	}
	s.CID = binary.NativeEndian.Uint32(ev[44:])
	b := make([]byte, 20)
	binary.NativeEndian.PutUint32(b[0:], s.SID)
	binary.NativeEndian.PutUint32(b[4:], s.CID)
	binary.NativeEndian.PutUint64(b[8:], uint64(r.FD))
	binary.NativeEndian.PutUint32(b[16:], 1) // the leading connection
	if _, err := n.call("bind connection", iscsiUeventBindConn, b, nil, true); err != nil {
		return fail(err, true)
	}
	for _, p := range r.setParams() {
		v := append([]byte(p.value), 0)
		if _, err := n.call(fmt.Sprintf("set parameter %d", p.param), iscsiUeventSetParam,
			iscsiU32s(s.SID, s.CID, p.param, uint32(len(v))), v, true); err != nil {
			if errors.Is(err, syscall.ENOSYS) {
				continue // a parameter this kernel's libiscsi does not keep
			}
			return fail(err, true)
		}
	}
	if _, err := n.call("start connection", iscsiUeventStartConn, iscsiU32s(s.SID, s.CID), nil, true); err != nil {
		return fail(err, true)
	}
	return s, nil
}
