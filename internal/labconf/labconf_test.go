package labconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGanesha(t *testing.T) {
	g := Ganesha("10.99.0.1", "/w/root", "/w/rec")
	for _, want := range []string{"Bind_addr = 10.99.0.1;", `Path = "/w/root";`, `RecoveryRoot = "/w/rec";`, `Pseudo = "/export";`,
		"Access_Type = RO;", "Graceless = true;", "Enable_NLM = false;", "Transports = TCP;"} {
		if !strings.Contains(g, want) {
			t.Errorf("ganesha config lacks %q:\n%s", want, g)
		}
	}
	if strings.Count(g, "{") != strings.Count(g, "}") {
		t.Errorf("ganesha config has unbalanced braces:\n%s", g)
	}
}

func TestDnsmasqDHCP(t *testing.T) {
	d := DnsmasqDHCP("/w", "dhcp-host=52:54:00:de:00:01,demo")
	for _, want := range []string{"port=0\n", "interface=tap0\n", "bind-interfaces\n", "dhcp-range=" + DHCPRange + "\n",
		"dhcp-leasefile=/w/dnsmasq.leases\n", "pid-file=/w/dnsmasq.pid\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("dnsmasq config lacks %q:\n%s", want, d)
		}
	}
	if !strings.HasSuffix(d, "log-facility=-\ndhcp-host=52:54:00:de:00:01,demo\n") {
		t.Errorf("the extra line is not last:\n%s", d)
	}
}

func TestTail(t *testing.T) {
	p := filepath.Join(t.TempDir(), "log")
	if err := os.WriteFile(p, []byte("a\nb\nc\nd\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := Tail(p, 2); got != "c\nd" {
		t.Errorf("Tail(2) = %q, want c, d", got)
	}
	if got := Tail(p, 10); got != "a\nb\nc\nd" {
		t.Errorf("Tail(10) = %q, want the whole file", got)
	}
	if got := Tail(filepath.Join(t.TempDir(), "none"), 2); !strings.HasPrefix(got, "(read ") {
		t.Errorf("Tail of a missing file = %q, want the read error", got)
	}
}
