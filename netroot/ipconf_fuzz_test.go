package netroot

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseIP feeds ip=, BOOTIF= and nameserver= values to ParseNetwork: it must never panic,
// every error must be a ParamError in the cmdline shape, and a parsed static entry must be
// complete enough to apply.
func FuzzParseIP(f *testing.F) {
	for _, s := range []string{
		"dhcp", "off", "none", "on", "any", "eth0:dhcp", "enp0s3:any",
		"10.99.0.15:10.99.0.1:10.99.0.254:255.255.255.0:client1:eth0:off:10.99.0.2:10.99.0.3:10.99.0.4",
		"192.168.1.20::::::", "10.1.2.3", ":::::eth0:dhcp", "::::host::", "10.0.0.2:::255.0.255.1::eth0:off",
		"10.0.0.2::10.0.1.1:255.255.255.0:::off", "[fd00::1]", "::::::::::::", "0.0.0.0::::::off",
	} {
		f.Add(s, "01-52-54-00-12-34-56", "10.99.0.2")
	}
	f.Add("dhcp", "01-aa-BB-cc-DD-ee-FF", "fd00::53")
	f.Add("eth0:dhcp", "52-54-00-12-34-56", "dns.example")
	f.Fuzz(func(t *testing.T, ip, bootif, ns string) {
		c := ipTestCmdline{}
		for _, v := range strings.Split(ip, " ") {
			c["ip"] = append(c["ip"], v)
		}
		if bootif != "" {
			c["BOOTIF"] = []string{bootif}
		}
		if ns != "" {
			c["nameserver"] = []string{ns}
		}
		plan, err := ParseNetwork(c)
		NeedsNetwork(c)
		if err != nil {
			var pe *ParamError
			if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "cmdline: ") {
				t.Fatalf("error %q is not a cmdline ParamError", err)
			}
			return
		}
		if plan.Off && len(plan.Configs) > 0 {
			t.Fatalf("plan is off and configures %d entries", len(plan.Configs))
		}
		devices := map[string]bool{}
		for _, cfg := range plan.Configs {
			if devices[cfg.Device] {
				t.Fatalf("device %q configured twice", cfg.Device)
			}
			devices[cfg.Device] = true
			if !cfg.DHCP {
				if !cfg.Client.Is4() || cfg.PrefixLen() < 0 || cfg.PrefixLen() > 32 {
					t.Fatalf("static entry %+v cannot be applied", cfg)
				}
				l := staticLease(cfg, "eth0", "")
				if l.Address != cfg.Client {
					t.Fatalf("static lease lost the address")
				}
			}
		}
	})
}
