package main

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestStaleNamespaces(t *testing.T) {
	list := "goinit-e2e-8724-2 (id: 3)\ngoinit-demo-100 (id: 1)\ngoinit-demo-200\ngoinit-demo-x\ngoinit-demo--5\n\n"
	alive := func(pid int) bool { return pid == 200 }
	if got, want := staleNamespaces(list, alive), []string{"goinit-demo-100"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestUnixListening(t *testing.T) {
	table := "Num       RefCount Protocol Flags    Type St Inode Path\n" +
		"0000000000000000: 00000002 00000000 00010000 0001 01 100 /run/rpcbind.sock\n" +
		"0000000000000000: 00000002 00000000 00000000 0001 03 101 /run/other.sock\n"
	tests := []struct {
		path string
		want bool
	}{
		{"/run/rpcbind.sock", true},
		{"/run/other.sock", false}, // connected, not listening
		{"/run/none.sock", false},
	}
	for _, tt := range tests {
		if got := unixListening(table, tt.path); got != tt.want {
			t.Errorf("unixListening(%s) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	t.Setenv("DEMO_INTERACTIVE", "1")
	o, err := parseFlags(nil)
	if err != nil || !o.interactive || o.timeout != 4*time.Minute {
		t.Errorf("defaults with DEMO_INTERACTIVE=1: %+v, %v", o, err)
	}
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"-k", "6.1.0-56-amd64", "-timeout", "5m"}, ""},
		{[]string{"extra"}, `unexpected argument "extra": flags only (see out/demo -h)`},
		{[]string{"-timeout", "0s"}, "-timeout 0s: want a positive duration, e.g. -timeout 5m"},
		{[]string{"-bogus"}, "flag provided but not defined: -bogus"},
	}
	for _, tt := range tests {
		_, err := parseFlags(tt.args)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.wantErr {
			t.Errorf("parseFlags(%q) error %q, want %q", tt.args, got, tt.wantErr)
		}
	}
}

func TestServerConfigs(t *testing.T) {
	d := dnsmasqConfig("/w")
	for _, want := range []string{"port=0\n", "interface=tap0\n", "bind-interfaces\n", "dhcp-host=" + guestMAC + "," + guestName + "\n", "dhcp-leasefile=/w/dnsmasq.leases\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("dnsmasq config lacks %q:\n%s", want, d)
		}
	}
}

func TestQEMUArgs(t *testing.T) {
	a := strings.Join(qemuArgs(guest{kernel: "/boot/k", initrd: "/i", append: "quiet AUFS=1"}), " ")
	for _, want := range []string{"-accel tcg", "-no-reboot", "signal=off", "-append console=ttyS0 quiet AUFS=1", "ifname=tap0", "mac=" + guestMAC} {
		if !strings.Contains(a, want) {
			t.Errorf("qemu args lack %q: %s", want, a)
		}
	}
	if a := strings.Join(qemuArgs(guest{interactive: true}), " "); !strings.Contains(a, "signal=on") {
		t.Errorf("interactive qemu args lack signal=on: %s", a)
	}
}

func TestCleanupsReverseOnce(t *testing.T) {
	var c cleanups
	var order []string
	c.add("a", func() error { order = append(order, "a"); return nil })
	c.add("b", func() error { order = append(order, "b"); return nil })
	if n := c.run(); n != 0 {
		t.Errorf("%d failures", n)
	}
	c.run()
	if !reflect.DeepEqual(order, []string{"b", "a"}) {
		t.Errorf("order %q, want [b a] once", order)
	}
}
