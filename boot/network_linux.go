package boot

import (
	"context"

	"github.com/goinit/goinit/netroot"
)

// network brings the links up and configures addresses (DHCP or ip=), within rd.retry, and
// leaves the configuration for the real root in /run (net-<iface>.conf, goinit/lease-*.json,
// goinit/resolv.conf).
func (b *Boot) network() error {
	ctx, cancel := context.WithTimeout(context.Background(), b.Params.Retry)
	defer cancel()
	st, err := netroot.Up(ctx, b.netPlan, b.Log.Printf)
	if err != nil {
		return err
	}
	b.net = st
	for _, l := range st.Leases {
		how := l.Proto // klibc's names: "dhcp", or "none" for a static ip=
		if how == netroot.ProtoStatic {
			how = "static"
		}
		b.Log.Printf("%s: %s via %s (%s)", l.Interface, l.Prefix(), how, l.MAC)
	}
	if err := netroot.WriteRunFiles("/", st); err != nil {
		b.Log.Printf("warning: %v", err)
	}
	return nil
}
