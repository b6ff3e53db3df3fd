package netroot

import "testing"

type mapCmdline map[string][]string

func (m mapCmdline) Get(k string) (string, bool) {
	v := m[k]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}
func (m mapCmdline) All(k string) []string { return m[k] }
func (m mapCmdline) Has(k string) bool     { _, ok := m[k]; return ok }

func TestNetPlanString(t *testing.T) {
	cases := map[string]mapCmdline{
		"dhcp on every link with carrier":  {"root": {"/dev/nfs"}},
		"dhcp on eth1":                     {"ip": {"eth1:dhcp"}},
		"dhcp on BOOTIF 52:54:00:12:34:56": {"ip": {"dhcp"}, "BOOTIF": {"01-52-54-00-12-34-56"}},
		"static 10.99.0.5/24 on eth0":      {"ip": {"10.99.0.5::10.99.0.1:255.255.255.0::eth0:off"}},
		"off":                              {"ip": {"off"}},
	}
	for want, c := range cases {
		p, err := ParseNetwork(c)
		if err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		if got := p.String(); got != want {
			t.Errorf("%v: String() = %q, want %q", c, got, want)
		}
	}
}
