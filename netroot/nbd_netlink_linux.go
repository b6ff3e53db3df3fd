package netroot

import (
	"errors"
	"fmt"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// NBDConnect hands a negotiated socket to the kernel (NBD_CMD_CONNECT) and returns the index
// of the /dev/nbdN device that now serves it. The kernel holds its own reference to the
// socket: the caller may close its copy of r.FD afterwards, and the device outlives the process.
func NBDConnect(r NBDConnectRequest) (int, error) {
	attrs, err := r.attrs()
	if err != nil {
		return -1, err
	}
	msgs, err := nbdGenlExec(nbdCmdConnect, attrs)
	if err != nil {
		return -1, fmt.Errorf("nbd connect %s: %w%s", nbdDeviceName(r.Index), err, nbdErrnoHint(err))
	}
	for _, m := range msgs {
		if idx, ok := nbdReplyIndex(m); ok {
			return idx, nil
		}
	}
	if r.Index >= 0 {
		return r.Index, nil
	}
	return -1, fmt.Errorf("nbd connect %s: the kernel did not say which device it connected", nbdDeviceName(r.Index))
}

// NBDDisconnect disconnects /dev/nbdN (NBD_CMD_DISCONNECT).
func NBDDisconnect(index int) error {
	if index < 0 {
		return fmt.Errorf("nbd disconnect: device index %d out of range", index)
	}
	if _, err := nbdGenlExec(nbdCmdDisconnect, nbdNLAU32(nil, nbdAttrIndex, uint32(index))); err != nil {
		return fmt.Errorf("nbd disconnect %s: %w%s", nbdDeviceName(index), err, nbdErrnoHint(err))
	}
	return nil
}

// NBDReconfigure changes a connected device (NBD_CMD_RECONFIGURE): a new socket replaces a dead
// connection, and the timeouts change.
func NBDReconfigure(r NBDReconfigureRequest) error {
	attrs, err := r.attrs()
	if err != nil {
		return err
	}
	if _, err := nbdGenlExec(nbdCmdReconfigure, attrs); err != nil {
		return fmt.Errorf("nbd reconfigure %s: %w%s", nbdDeviceName(r.Index), err, nbdErrnoHint(err))
	}
	return nil
}

// nbdGenlExec sends one command to the "nbd" generic netlink family and waits for the answer:
// the reply messages' payloads, or the kernel's error.
func nbdGenlExec(cmd uint8, attrs []byte) ([][]byte, error) {
	fam, err := netlink.GenlFamilyGet(nbdGenlFamily)
	if err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil, fmt.Errorf("generic netlink family %q not found (is the nbd module loaded?): %w", nbdGenlFamily, err)
		}
		return nil, fmt.Errorf("generic netlink family %q: %w", nbdGenlFamily, err)
	}
	req := nl.NewNetlinkRequest(int(fam.ID), unix.NLM_F_ACK)
	req.AddRawData(nbdGenlMessage(cmd, attrs))
	return req.Execute(unix.NETLINK_GENERIC, 0)
}

func nbdErrnoHint(err error) string {
	switch {
	case errors.Is(err, unix.EBUSY):
		return " (the device is already connected)"
	case errors.Is(err, unix.EINVAL):
		return " (the kernel rejected the settings; see dmesg)"
	case errors.Is(err, unix.EPERM):
		return " (needs CAP_SYS_ADMIN)"
	}
	return ""
}
