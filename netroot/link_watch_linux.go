package netroot

import (
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// linkWatch delivers the kernel's link updates (the existing links first), so that waiting for
// a link or its carrier is event-driven.
type linkWatch struct {
	C    <-chan netlink.LinkUpdate
	ch   chan netlink.LinkUpdate
	done chan struct{}
}

func watchLinks(logf func(string, ...any)) (*linkWatch, error) {
	w := &linkWatch{ch: make(chan netlink.LinkUpdate, 64), done: make(chan struct{})}
	w.C = w.ch
	err := netlink.LinkSubscribeWithOptions(w.ch, w.done, netlink.LinkSubscribeOptions{
		ListExisting: true,
		ErrorCallback: func(err error) {
			select {
			case <-w.done: // the socket was closed on purpose
			default:
				logf("network: link updates: %v", err)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("network: subscribe to link updates: %w", err)
	}
	return w, nil
}

// Close ends the subscription; the channel is drained until the library closes it, so its
// goroutine never blocks on a send.
func (w *linkWatch) Close() {
	close(w.done)
	go func() {
		for range w.ch {
		}
	}()
}

// update folds a link update into l (creating it when nil) and reports whether the link was
// deleted.
func linkFromUpdate(u netlink.LinkUpdate, l *linkInfo) (*linkInfo, bool) {
	a := u.Link.Attrs()
	if l == nil {
		l = &linkInfo{}
	}
	l.Name = a.Name
	l.Index = a.Index
	l.MAC = append(net.HardwareAddr(nil), a.HardwareAddr...)
	l.Kind = u.Link.Type()
	l.Ether = a.EncapType == "ether"
	l.Loopback = u.IfInfomsg.Flags&unix.IFF_LOOPBACK != 0
	l.AdminUp = u.IfInfomsg.Flags&unix.IFF_UP != 0
	l.Carrier = u.IfInfomsg.Flags&unix.IFF_LOWER_UP != 0
	return l, u.Header.Type == unix.RTM_DELLINK
}

// setUp brings a link up by index.
func setUp(index int) error {
	link, err := netlink.LinkByIndex(index)
	if err != nil {
		return err
	}
	return netlink.LinkSetUp(link)
}

// loUp brings the loopback link up.
func loUp() error {
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("network: find lo: %w", err)
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		return fmt.Errorf("network: set lo up: %w", err)
	}
	return nil
}
