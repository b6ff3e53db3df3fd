//go:build e2e

package e2e

import (
	"errors"
	"math"
	"reflect"
	"regexp"
	"testing"
)

func TestBenchSummarize(t *testing.T) {
	tests := []struct {
		in   []float64
		want stat
	}{
		{[]float64{3, 1, 2}, stat{N: 3, Median: 2, Min: 1, Max: 3}},
		{[]float64{4, 1, 2, 3}, stat{N: 4, Median: 2.5, Min: 1, Max: 4}},
		{[]float64{7}, stat{N: 1, Median: 7, Min: 7, Max: 7}},
	}
	for _, tt := range tests {
		if got := summarize(tt.in); got != tt.want {
			t.Errorf("summarize(%v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	if got := summarize(nil); got.N != 0 || !math.IsNaN(got.Median) {
		t.Errorf("summarize(nil) = %+v, want N 0 and NaN", got)
	}
}

func TestBenchParseSwitchSummary(t *testing.T) {
	tests := []struct {
		line    string
		want    []phase
		wantErr string
	}{
		{
			line: "goinit: switching to /sbin/init on 10.99.0.1:/export: setup 0.19s, coldplug 0.50s, network 1.20s",
			want: []phase{{"setup", 0.19}, {"coldplug", 0.5}, {"network", 1.2}},
		},
		{
			line: "switching to /sbin/init on /dev/etherd/e7.1: attach 0.03s",
			want: []phase{{"attach", 0.03}},
		},
		{
			line:    "switching root now",
			wantErr: `parse switch summary "switching root now": want "switching to <init> on <source>: <stage> <secs>s, …"`,
		},
		{
			line:    "switching to /sbin/init on x: setup",
			wantErr: `parse switch summary "switching to /sbin/init on x: setup": stage "setup": want "<stage> <secs>s"`,
		},
		{
			line:    "switching to /sbin/init on x: setup -1s",
			wantErr: `parse switch summary "switching to /sbin/init on x: setup -1s": stage "setup -1s": want a non-negative number of seconds`,
		},
	}
	for _, tt := range tests {
		got, err := parseSwitchSummary(tt.line)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("parseSwitchSummary(%q) error = %v, want %s", tt.line, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseSwitchSummary(%q) = %v, %v; want %v", tt.line, got, err, tt.want)
		}
	}
}

func TestBenchParseLines(t *testing.T) {
	if v, err := parsePrintkTime("[    2.345678] Run /init as init process"); err != nil || v != 2.345678 {
		t.Errorf("parsePrintkTime = %v, %v; want 2.345678", v, err)
	}
	if _, err := parsePrintkTime("Run /init"); err == nil || err.Error() != `parse printk time "Run /init": want "[ <seconds>.<6 digits>] <text>"` {
		t.Errorf("parsePrintkTime(bad) error = %v", err)
	}
	if v, err := parseUptimeLine("GOINIT-CANARY-UPTIME 7.81"); err != nil || v != 7.81 {
		t.Errorf("parseUptimeLine = %v, %v; want 7.81", v, err)
	}
	if _, err := parseUptimeLine("GOINIT-CANARY-UPTIME x"); err == nil || err.Error() != `parse uptime line "GOINIT-CANARY-UPTIME x": want a non-negative number of seconds` {
		t.Errorf("parseUptimeLine(bad) error = %v", err)
	}
	mem := []string{"GOINIT-CANARY-CAT MemTotal:         490000 kB", "GOINIT-CANARY-CAT MemAvailable:     400000 kB", "Bad: 1 MB"}
	if v, err := parseMeminfo(mem, "MemAvailable"); err != nil || v != 400000 {
		t.Errorf("parseMeminfo = %v, %v; want 400000", v, err)
	}
	if _, err := parseMeminfo(mem, "Bad"); err == nil || err.Error() != `parse meminfo Bad: line "Bad: 1 MB": want "Bad: <n> kB"` {
		t.Errorf("parseMeminfo(Bad) error = %v", err)
	}
	if _, err := parseMeminfo(mem, "MemFree"); !errors.Is(err, errNoMeminfo) {
		t.Errorf("parseMeminfo(MemFree) error = %v, want errNoMeminfo", err)
	}
	if v, err := parseVmHWM("Name:\tqemu\nVmHWM:\t  123456 kB\nVmRSS: 1 kB\n"); err != nil || v != 123456 {
		t.Errorf("parseVmHWM = %v, %v; want 123456", v, err)
	}
	if _, err := parseVmHWM("VmHWM: lots\n"); err == nil || err.Error() != `parse VmHWM line "VmHWM: lots": want "VmHWM: <n> kB"` {
		t.Errorf("parseVmHWM(bad) error = %v", err)
	}
}

func TestBenchParseLinkTimes(t *testing.T) {
	lines := []string{
		"[ 2.920] goinit: network: eth0 has carrier after 2.052s; DHCP for ip=\"dhcp\"",
		"[ 3.939] goinit: dhcp eth0: offer 10.99.1.184 from 10.99.1.1",
		"[ 3.957] goinit: dhcp eth0: lease 10.99.1.184/24 from 10.99.1.1 after 1.02s and 1 try",
		"[ 4.957] goinit: dhcp eth1: lease 10.99.2.1/24 from 10.99.2.1 after 9s and 2 tries",
	}
	re := regexp.MustCompile(linkLinesRe)
	for _, l := range lines {
		if !re.MatchString(l) {
			t.Errorf("linkLinesRe %q does not select %q", linkLinesRe, l)
		}
	}
	c, l, ok := parseLinkTimes(lines)
	if !ok || c != 2.052 || l != 1.02 {
		t.Errorf("parseLinkTimes = %v, %v, %v; want 2.052, 1.02, true", c, l, ok)
	}
	if c, l, ok := parseLinkTimes([]string{"network: eth0 has carrier after 31ms; DHCP"}); ok || c != 0.031 || l != 0 {
		t.Errorf("parseLinkTimes(no lease) = %v, %v, %v; want 0.031, 0, false", c, l, ok)
	}
}

func FuzzBenchParseSwitchSummary(f *testing.F) {
	f.Add("switching to /sbin/init on 10.99.0.1:/export: setup 0.19s, coldplug 0.50s")
	f.Add("switching to a on b: x 1e308s, y NaNs")
	f.Add("switching to a on b: ")
	f.Fuzz(func(t *testing.T, line string) {
		phases, err := parseSwitchSummary(line)
		if err != nil {
			return
		}
		for _, p := range phases {
			if p.Name == "" || p.Secs < 0 || math.IsNaN(p.Secs) || math.IsInf(p.Secs, 0) {
				t.Errorf("parseSwitchSummary(%q) gave phase %+v", line, p)
			}
		}
	})
}
