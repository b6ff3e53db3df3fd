package netroot

import (
	"context"
	"errors"
	"fmt"
	uiorand "github.com/u-root/uio/rand"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
	"golang.org/x/sys/unix"
)

// dhcpResult is what one DHCP worker on one link ends with.
type dhcpResult struct {
	slot  int
	tally dhcpTally
	lease *Lease // nil unless it got one
}

// xidReader gives the DHCP library its transaction ids without waiting for the kernel's
// random pool: early in boot the pool may take seconds to initialise (the library would block
// in getrandom, or spin for minutes), and a DHCP xid needs no cryptographic quality. It reads
// getrandom(GRND_INSECURE) (Linux 5.6 and later); on older kernels it waits as before.
type xidReader struct{}

func (xidReader) ReadContext(ctx context.Context, b []byte) (int, error) {
	for {
		n, err := unix.Getrandom(b, unix.GRND_INSECURE)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EINVAL { // kernel without GRND_INSECURE
			n, err = unix.Getrandom(b, 0)
		}
		return n, err
	}
}

func (r xidReader) Read(b []byte) (int, error) { return r.ReadContext(context.Background(), b) }

// waitEntropy used to block until the random pool was ready; now it points the DHCP library
// at xidReader, which does not wait.
func waitEntropy(logf func(string, ...any)) {
	uiorand.Reader = xidReader{}
	var b [4]byte
	if _, err := (xidReader{}).Read(b[:]); err != nil {
		logf("network: getrandom: %v (going on)", err)
	}
}

// dhcpLink runs DHCP on one link until it has a lease or ctx ends, each try waiting twice as
// long as the one before (dhcpWait).
func dhcpLink(ctx context.Context, l linkInfo, cfg IPConfig, entropy <-chan struct{}, logf func(string, ...any)) (*Lease, dhcpTally) {
	t := dhcpTally{Link: l.Name}
	select {
	case <-entropy:
	case <-ctx.Done():
		return nil, t
	}
	// The library's own timeout and retries are disabled (one try, long timeout): the
	// per-try contexts below govern the waits.
	client, err := nclient4.New(l.Name, nclient4.WithHWAddr(l.MAC), nclient4.WithRetry(1),
		nclient4.WithTimeout(time.Hour))
	if err != nil {
		t.Err = fmt.Errorf("open DHCP socket: %w", err)
		return nil, t
	}
	defer client.Close()
	for n := 1; ctx.Err() == nil; n++ {
		wait := dhcpWait(n)
		t.Tries = n
		offer, err := dhcpDiscover(ctx, client, l, cfg, wait, &t.Proxy)
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
				t.Err = err
				sleepCtx(ctx, wait) // e.g. ENETDOWN while the carrier flaps
			}
			continue
		}
		logf("dhcp %s: offer %s from %s", l.Name, offer.YourIPAddr, offer.ServerIdentifier())
		rctx, cancel := context.WithTimeout(ctx, wait)
		ack, err := client.RequestFromOffer(rctx, offer, dhcpModifiers(cfg)...)
		cancel()
		if err != nil {
			var nak *nclient4.ErrNak
			if errors.As(err, &nak) {
				t.Err = fmt.Errorf("server %s refused the offered %s: %w", offer.ServerIdentifier(), offer.YourIPAddr, err)
				logf("dhcp %s: %v", l.Name, t.Err)
			}
			continue
		}
		lease, err := leaseFromACK(l.Name, l.MAC, ack.ACK, time.Now())
		if err != nil {
			t.Err = err
			continue
		}
		overrideLease(lease, cfg)
		lease.Uptime = uptime()
		return lease, t
	}
	return nil, t
}

// dhcpDiscover sends one DISCOVER and waits up to wait for a usable offer; offers without an
// address (proxy DHCP) are counted in proxy and ignored.
func dhcpDiscover(ctx context.Context, c *nclient4.Client, l linkInfo, cfg IPConfig, wait time.Duration, proxy *int) (*dhcpv4.DHCPv4, error) {
	disc, err := dhcpv4.NewDiscovery(l.MAC, append(discoverModifiers(cfg),
		dhcpv4.WithOption(dhcpv4.OptMaxMessageSize(nclient4.MaxMessageSize)))...)
	if err != nil {
		return nil, fmt.Errorf("build DISCOVER: %w", err)
	}
	dctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	return c.SendAndRead(dctx, c.RemoteAddr(), disc, func(p *dhcpv4.DHCPv4) bool {
		if p.MessageType() != dhcpv4.MessageTypeOffer {
			return false
		}
		if !usableOffer(p) {
			*proxy++
			return false
		}
		return true
	})
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// uptime is the system's uptime in seconds, for klibc's UPTIME=.
func uptime() int64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0
	}
	return int64(si.Uptime)
}
