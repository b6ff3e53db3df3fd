package netroot

import (
	"bytes"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"
)

// linkInfo is what the plan needs to know about one network link.
type linkInfo struct {
	Name     string
	Index    int
	MAC      net.HardwareAddr
	Kind     string // netlink's Type(): "device", "veth", "bridge", …
	Ether    bool   // Ethernet encapsulation
	Loopback bool
	AdminUp  bool  // IFF_UP
	Carrier  bool  // IFF_LOWER_UP
	UpErr    error // setting the link up failed
}

// virtualKinds are Ethernet-like links that never carry a netboot: stacked or software
// devices. Physical NICs show as "device"; veth (used by the namespace tests) is kept.
var virtualKinds = map[string]bool{
	"bridge": true, "bond": true, "vlan": true, "macvlan": true, "macvtap": true,
	"ipvlan": true, "vxlan": true, "dummy": true, "geneve": true, "gretap": true,
	"team": true, "tuntap": true, "wireguard": true, "openvswitch": true,
}

// candidate reports whether a link can be a boot interface: Ethernet, not loopback, not a
// software device.
func candidate(l *linkInfo) bool {
	return !l.Loopback && l.Ether && len(l.MAC) == 6 && !virtualKinds[l.Kind]
}

// state describes a link for an error message: "up, no carrier", "down", "carrier".
func (l *linkInfo) state() string {
	switch {
	case l.UpErr != nil:
		return "down: set up: " + l.UpErr.Error()
	case !l.AdminUp:
		return "down"
	case !l.Carrier:
		return "up, no carrier"
	}
	return "up, carrier"
}

// slot is one ip= entry being worked on: which links it may use and what came of them.
type slot struct {
	cfg    IPConfig
	bootIF net.HardwareAddr // device-less entries only
}

// wants reports whether link l serves this slot. claimed holds the devices that other ip=
// entries name; a device-less entry leaves them alone.
func (s *slot) wants(l *linkInfo, claimed map[string]bool) bool {
	if s.cfg.Device != "" {
		return l.Name == s.cfg.Device
	}
	if claimed[l.Name] || !candidate(l) {
		return false
	}
	return s.bootIF == nil || bytes.Equal(l.MAC, s.bootIF)
}

// label names the slot the way the user wrote it.
func (s *slot) label() string {
	if s.cfg.Param == "" {
		return "ip=dhcp (implied)"
	}
	return fmt.Sprintf("ip=%q", s.cfg.Param)
}

// slotsFor turns the plan into slots, in command line order.
func slotsFor(plan *NetPlan) (slots []*slot, claimed map[string]bool) {
	claimed = map[string]bool{}
	for _, c := range plan.Configs {
		s := &slot{cfg: c}
		if c.Device != "" {
			claimed[c.Device] = true
		} else {
			s.bootIF = plan.BootIF
		}
		slots = append(slots, s)
	}
	return slots, claimed
}

// dhcpTally is what the DHCP workers of one slot did on one link.
type dhcpTally struct {
	Link  string
	Tries int
	Proxy int   // offers ignored for having no address
	Err   error // the last error other than "no answer", if any
}

// slotFailure explains why slot s got no configuration within elapsed. links are all links
// seen, tallies what DHCP did on the slot's links.
func slotFailure(s *slot, links []*linkInfo, claimed map[string]bool, tallies []dhcpTally, elapsed time.Duration) error {
	secs := roundDur(elapsed)
	sort.Slice(links, func(i, j int) bool { return links[i].Name < links[j].Name })
	var mine []*linkInfo
	for _, l := range links {
		if s.wants(l, claimed) {
			mine = append(mine, l)
		}
	}
	if len(mine) == 0 {
		all := listLinks(links)
		switch {
		case s.cfg.Device != "":
			return fmt.Errorf("network: link %q (%s) did not appear within %s; links: %s", s.cfg.Device, s.label(), secs, all)
		case s.bootIF != nil:
			return fmt.Errorf("network: no link with MAC %s (BOOTIF) appeared within %s; links: %s", s.bootIF, secs, all)
		}
		return fmt.Errorf("network: no Ethernet link appeared within %s (is the NIC driver in the image?); links: %s", secs, all)
	}
	var carrier, dark []string
	for _, l := range mine {
		if l.AdminUp && l.Carrier {
			carrier = append(carrier, l.Name)
		} else {
			dark = append(dark, fmt.Sprintf("%s (%s)", l.Name, l.state()))
		}
	}
	if len(carrier) == 0 {
		return fmt.Errorf("network: no link had carrier within %s: %s", secs, strings.Join(dark, ", "))
	}
	if !s.cfg.DHCP {
		// A static entry is satisfied as soon as a link has carrier; reaching here means the
		// link lost it again or the entry never got one.
		return fmt.Errorf("network: %s: no usable link within %s: %s", s.label(), secs, strings.Join(dark, ", "))
	}
	total, proxy := 0, 0
	var per, errs []string
	for _, t := range tallies {
		total += t.Tries
		proxy += t.Proxy
		per = append(per, fmt.Sprintf("%s: %d", t.Link, t.Tries))
		if t.Err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", t.Link, t.Err))
		}
	}
	msg := fmt.Sprintf("network: no DHCP offer on %s after %s and %d %s", strings.Join(carrier, ", "), secs, total, plural(total, "try", "tries"))
	if len(tallies) > 1 {
		msg += " (" + strings.Join(per, ", ") + ")"
	}
	if len(dark) > 0 {
		msg += "; no carrier on " + strings.Join(dark, ", ")
	}
	if proxy > 0 {
		msg += fmt.Sprintf("; ignored %d %s without an address (proxy DHCP)", proxy, plural(proxy, "offer", "offers"))
	}
	if len(errs) > 0 {
		msg += "; " + strings.Join(errs, "; ")
	}
	return fmt.Errorf("%s", msg)
}

func listLinks(links []*linkInfo) string {
	if len(links) == 0 {
		return "none"
	}
	var out []string
	for _, l := range links {
		if len(l.MAC) > 0 {
			out = append(out, l.Name+" "+l.MAC.String())
		} else {
			out = append(out, l.Name)
		}
	}
	return strings.Join(out, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func sortedNames(m map[string]dhcpTally) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// roundDur rounds a wait for a message: whole seconds from 10s on, else tenths.
func roundDur(d time.Duration) time.Duration {
	if d >= 10*time.Second {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}
