package netroot

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// Generic netlink interface of the kernel's nbd driver (include/uapi/linux/nbd-netlink.h).
const (
	nbdGenlFamily  = "nbd"
	nbdGenlVersion = 1

	nbdCmdConnect     = 1
	nbdCmdDisconnect  = 2
	nbdCmdReconfigure = 3

	nbdAttrIndex           = 1 // u32
	nbdAttrSizeBytes       = 2 // u64
	nbdAttrBlockSizeBytes  = 3 // u64
	nbdAttrTimeout         = 4 // u64, seconds
	nbdAttrServerFlags     = 5 // u64
	nbdAttrClientFlags     = 6 // u64
	nbdAttrSockets         = 7 // nested: NBD_SOCK_ITEM { NBD_SOCK_FD }
	nbdAttrDeadConnTimeout = 8 // u64, seconds

	nbdSockItem = 1
	nbdSockFD   = 1 // u32

	nbdNLAFNested = 1 << 15
)

// NBDConnectRequest is what NBD_CMD_CONNECT tells the kernel about a negotiated connection.
type NBDConnectRequest struct {
	Index       int    // N of /dev/nbdN; -1 lets the kernel take a free device
	Size        uint64 // bytes, from the handshake
	BlockSize   uint32 // logical block size, a power of two from 512 to the page size
	ServerFlags uint16 // transmission flags from the handshake (read-only, flush, trim, …)
	// Timeout bounds each request (0: wait for ever); DeadConnTimeout is how long the kernel
	// waits for NBD_CMD_RECONFIGURE to bring a new socket when the connection dies (0: fail I/O
	// at once). Both are sent in whole seconds, rounded up.
	Timeout         time.Duration
	DeadConnTimeout time.Duration
	FD              int // the connected socket, in transmission phase
}

// NBDReconfigureRequest changes a connected device: a replacement socket for a dead
// connection (FD >= 0) and the timeouts (sent when not zero).
type NBDReconfigureRequest struct {
	Index           int
	FD              int // -1: none
	Timeout         time.Duration
	DeadConnTimeout time.Duration
}

func nbdDeviceName(index int) string {
	if index < 0 {
		return "a free /dev/nbd device"
	}
	return fmt.Sprintf("/dev/nbd%d", index)
}

// attrs encodes the request as netlink attributes.
func (r NBDConnectRequest) attrs() ([]byte, error) {
	switch {
	case r.Index < -1 || r.Index > math.MaxInt32:
		return nil, fmt.Errorf("nbd connect: device index %d out of range", r.Index)
	case r.FD < 0 || r.FD > math.MaxInt32:
		return nil, fmt.Errorf("nbd connect %s: no socket (fd %d)", nbdDeviceName(r.Index), r.FD)
	case r.Size == 0 || r.Size > math.MaxInt64:
		return nil, fmt.Errorf("nbd connect %s: size %d out of range 1-%d", nbdDeviceName(r.Index), r.Size, int64(math.MaxInt64))
	case r.BlockSize < 512 || r.BlockSize > 64<<10 || r.BlockSize&(r.BlockSize-1) != 0:
		return nil, fmt.Errorf("nbd connect %s: block size %d is not a power of two from 512", nbdDeviceName(r.Index), r.BlockSize)
	}
	var b []byte
	if r.Index >= 0 {
		b = nbdNLAU32(b, nbdAttrIndex, uint32(r.Index))
	}
	b = nbdNLAU64(b, nbdAttrSizeBytes, r.Size)
	b = nbdNLAU64(b, nbdAttrBlockSizeBytes, uint64(r.BlockSize))
	b = nbdNLAU64(b, nbdAttrServerFlags, uint64(r.ServerFlags))
	if r.Timeout > 0 {
		b = nbdNLAU64(b, nbdAttrTimeout, nbdSeconds(r.Timeout))
	}
	if r.DeadConnTimeout > 0 {
		b = nbdNLAU64(b, nbdAttrDeadConnTimeout, nbdSeconds(r.DeadConnTimeout))
	}
	return nbdSocketsAttr(b, r.FD), nil
}

func (r NBDReconfigureRequest) attrs() ([]byte, error) {
	if r.Index < 0 || r.Index > math.MaxInt32 {
		return nil, fmt.Errorf("nbd reconfigure: device index %d out of range", r.Index)
	}
	if r.FD > math.MaxInt32 {
		return nil, fmt.Errorf("nbd reconfigure %s: fd %d out of range", nbdDeviceName(r.Index), r.FD)
	}
	b := nbdNLAU32(nil, nbdAttrIndex, uint32(r.Index))
	if r.Timeout > 0 {
		b = nbdNLAU64(b, nbdAttrTimeout, nbdSeconds(r.Timeout))
	}
	if r.DeadConnTimeout > 0 {
		b = nbdNLAU64(b, nbdAttrDeadConnTimeout, nbdSeconds(r.DeadConnTimeout))
	}
	if r.FD >= 0 {
		b = nbdSocketsAttr(b, r.FD)
	}
	return b, nil
}

// nbdSocketsAttr appends NBD_ATTR_SOCKETS { NBD_SOCK_ITEM { NBD_SOCK_FD fd } }.
func nbdSocketsAttr(b []byte, fd int) []byte {
	item := nbdNLAU32(nil, nbdSockFD, uint32(fd))
	socks := nbdNLA(nil, nbdSockItem|nbdNLAFNested, item)
	return nbdNLA(b, nbdAttrSockets|nbdNLAFNested, socks)
}

func nbdSeconds(d time.Duration) uint64 {
	return uint64((d + time.Second - 1) / time.Second)
}

// nbdGenlMessage is a generic netlink payload: genlmsghdr (cmd, version, reserved) + attrs.
func nbdGenlMessage(cmd uint8, attrs []byte) []byte {
	return append([]byte{cmd, nbdGenlVersion, 0, 0}, attrs...)
}

// nbdReplyIndex finds NBD_ATTR_INDEX in the kernel's reply to NBD_CMD_CONNECT (a generic
// netlink payload).
func nbdReplyIndex(msg []byte) (int, bool) {
	if len(msg) < 4 {
		return 0, false
	}
	b := msg[4:]
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b))
		typ := binary.NativeEndian.Uint16(b[2:]) &^ (nbdNLAFNested | 1<<14)
		if l < 4 || l > len(b) {
			return 0, false
		}
		if typ == nbdAttrIndex && l == 8 {
			return int(binary.NativeEndian.Uint32(b[4:])), true
		}
		b = b[min(nbdNLAAlign(l), len(b)):]
	}
	return 0, false
}

// nbdNLA appends one netlink attribute (native byte order, payload padded to 4 bytes).
func nbdNLA(b []byte, typ uint16, payload []byte) []byte {
	var h [4]byte
	binary.NativeEndian.PutUint16(h[0:], uint16(4+len(payload)))
	binary.NativeEndian.PutUint16(h[2:], typ)
	b = append(b, h[:]...)
	b = append(b, payload...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func nbdNLAAlign(n int) int { return (n + 3) &^ 3 }

func nbdNLAU32(b []byte, typ uint16, v uint32) []byte {
	return nbdNLA(b, typ, binary.NativeEndian.AppendUint32(nil, v))
}

func nbdNLAU64(b []byte, typ uint16, v uint64) []byte {
	return nbdNLA(b, typ, binary.NativeEndian.AppendUint64(nil, v))
}
