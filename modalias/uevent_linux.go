package modalias

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// UeventListener receives kernel uevents from a NETLINK_KOBJECT_UEVENT socket (multicast
// group 1, the kernel's). Open it before the first Coldplug round so no device added in
// between is missed.
type UeventListener struct {
	f *os.File
}

// ueventBufSize is the socket receive buffer asked for: bursts at boot are large.
const ueventBufSize = 4 << 20

// ListenUevents opens and binds the uevent socket.
func ListenUevents() (*UeventListener, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_KOBJECT_UEVENT)
	if err != nil {
		return nil, fmt.Errorf("open uevent socket: %w", err)
	}
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, ueventBufSize) != nil {
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, ueventBufSize)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: 1}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("bind uevent socket to group 1: %w", err)
	}
	return &UeventListener{f: os.NewFile(uintptr(fd), "uevent")}, nil
}

// Run reads events and calls handle for each kernel uevent until ctx ends (it then returns
// ctx.Err()) or the socket fails. Messages not sent by the kernel and messages that do not
// parse are dropped; so is a receive-buffer overflow (ENOBUFS), which loses events.
func (u *UeventListener) Run(ctx context.Context, handle func(Uevent)) error {
	stop := context.AfterFunc(ctx, func() { _ = u.f.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	rc, err := u.f.SyscallConn()
	if err != nil {
		return fmt.Errorf("read uevent socket: %w", err)
	}
	buf := make([]byte, 64<<10)
	for {
		var n int
		var from unix.Sockaddr
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			n, from, rerr = unix.Recvfrom(int(fd), buf, 0)
			return rerr != unix.EAGAIN
		})
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			err = rerr
		}
		if errors.Is(err, unix.ENOBUFS) || errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read uevent socket: %w", err)
		}
		if sa, ok := from.(*unix.SockaddrNetlink); !ok || sa.Pid != 0 {
			continue // not from the kernel
		}
		ev, err := ParseUevent(buf[:n])
		if err != nil {
			continue
		}
		handle(ev)
	}
}

// Close closes the socket.
func (u *UeventListener) Close() error {
	return u.f.Close()
}
