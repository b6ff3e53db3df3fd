package netroot

import "testing"

func TestNetPlanString(t *testing.T) {
	cases := map[string]string{
		"dhcp on every link with carrier":  "root=/dev/nfs",
		"dhcp on eth1":                     "ip=eth1:dhcp",
		"dhcp on BOOTIF 52:54:00:12:34:56": "ip=dhcp BOOTIF=01-52-54-00-12-34-56",
		"static 10.99.0.5/24 on eth0":      "ip=10.99.0.5::10.99.0.1:255.255.255.0::eth0:off",
		"off":                              "ip=off",
	}
	for want, line := range cases {
		p, err := ParseNetwork(ipCmd(line))
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if got := p.String(); got != want {
			t.Errorf("%s: String() = %q, want %q", line, got, want)
		}
	}
}

func TestNeedsNetworkAlternativesAndISCSI(t *testing.T) {
	for line, want := range map[string]bool{
		"root=LABEL=a goinit.altroot=LABEL=b":               false,
		"root=LABEL=a goinit.altroot=nbd:10.99.0.2:root":    true,
		"root=/dev/sda1 netroot=iscsi:10.99.0.1::::iqn.x:t": true,
		"aoeroot=e7.1":                   false,
		"root=nbd:10.99.0.1:root ip=off": false,
	} {
		if got := NeedsNetwork(ipCmd(line)); got != want {
			t.Errorf("NeedsNetwork(%s) = %v, want %v", line, got, want)
		}
	}
}
