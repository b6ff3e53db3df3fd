package netroot

import (
	"fmt"
	"strings"
)

// String describes the plan in a few words for the step name on the console.
func (p *NetPlan) String() string {
	if p == nil || p.Off {
		return "off"
	}
	var parts []string
	for _, c := range p.Configs {
		dev := c.Device
		switch {
		case dev == "" && len(p.BootIF) > 0:
			dev = "BOOTIF " + p.BootIF.String()
		case dev == "":
			dev = "every link with carrier"
		}
		if c.DHCP {
			parts = append(parts, "dhcp on "+dev)
			continue
		}
		addr := c.Client.String()
		if n := c.PrefixLen(); n >= 0 {
			addr = fmt.Sprintf("%s/%d", addr, n)
		}
		parts = append(parts, "static "+addr+" on "+dev)
	}
	return strings.Join(parts, ", ")
}
