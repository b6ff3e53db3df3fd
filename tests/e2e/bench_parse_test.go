//go:build e2e

package e2e

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The pure half of `make bench` (bench_*_test.go with the bench tag): statistics over repeated
// runs and parsers for what guests print. It builds with the e2e tag alone so its unit tests run
// in `make e2e` too.

// stat summarizes repeated measurements of one quantity.
type stat struct {
	N        int     // successful runs
	Median   float64 // of the successful runs
	Min, Max float64
}

// summarize returns the median, min and max of xs; N is 0 for no values.
func summarize(xs []float64) stat {
	if len(xs) == 0 {
		return stat{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stat{N: len(s), Median: m, Min: s[0], Max: s[len(s)-1]}
}

// phase is one stage of goinit's summary line with its total duration in seconds.
type phase struct {
	Name string
	Secs float64
}

// switchLineRe matches goinit's last line before exec: `switching to <init> on <source>: <stages>`.
var switchLineRe = regexp.MustCompile(`switching to (\S+) on (\S+): (.*)$`)

// parseSwitchSummary reads the per-stage totals from goinit's console line
// "switching to /sbin/init on 10.99.0.1:/export: setup 0.19s, coldplug 0.50s, …".
func parseSwitchSummary(line string) ([]phase, error) {
	m := switchLineRe.FindStringSubmatch(line)
	if m == nil {
		return nil, fmt.Errorf("parse switch summary %q: want \"switching to <init> on <source>: <stage> <secs>s, …\"", line)
	}
	var out []phase
	for _, part := range strings.Split(m[3], ", ") {
		name, secs, ok := strings.Cut(strings.TrimSpace(part), " ")
		if !ok || !strings.HasSuffix(secs, "s") || name == "" {
			return nil, fmt.Errorf("parse switch summary %q: stage %q: want \"<stage> <secs>s\"", line, part)
		}
		v, err := strconv.ParseFloat(strings.TrimSuffix(secs, "s"), 64)
		if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, fmt.Errorf("parse switch summary %q: stage %q: want a non-negative number of seconds", line, part)
		}
		out = append(out, phase{Name: name, Secs: v})
	}
	return out, nil
}

// printkTimeRe matches the timestamp of a kernel console line: "[    2.345678] …".
var printkTimeRe = regexp.MustCompile(`^\[ *(\d+\.\d{6})\] `)

// parsePrintkTime returns the kernel timestamp (seconds since boot) of a printk console line.
func parsePrintkTime(line string) (float64, error) {
	m := printkTimeRe.FindStringSubmatch(line)
	if m == nil {
		return 0, fmt.Errorf("parse printk time %q: want \"[ <seconds>.<6 digits>] <text>\"", line)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("parse printk time %q: %w", line, err)
	}
	return v, nil
}

// parseUptimeLine reads the canary's "GOINIT-CANARY-UPTIME <seconds>" line.
func parseUptimeLine(line string) (float64, error) {
	_, rest, ok := strings.Cut(line, "GOINIT-CANARY-UPTIME ")
	if !ok {
		return 0, fmt.Errorf("parse uptime line %q: want \"GOINIT-CANARY-UPTIME <seconds>\"", line)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("parse uptime line %q: want a non-negative number of seconds", line)
	}
	return v, nil
}

// errNoMeminfo is parseMeminfo's answer when no line has the asked key.
var errNoMeminfo = errors.New("not in the lines")

// parseMeminfo returns the value in KiB of key (e.g. "MemAvailable") from /proc/meminfo lines,
// which may carry the canary's "GOINIT-CANARY-CAT " prefix.
func parseMeminfo(lines []string, key string) (int64, error) {
	for _, l := range lines {
		l = strings.TrimPrefix(l, "GOINIT-CANARY-CAT ")
		k, rest, ok := strings.Cut(l, ":")
		if !ok || k != key {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("parse meminfo %s: line %q: want \"%s: <n> kB\"", key, l, key)
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("parse meminfo %s: line %q: want \"%s: <n> kB\"", key, l, key)
		}
		return v, nil
	}
	return 0, fmt.Errorf("parse meminfo %s: %w", key, errNoMeminfo)
}

// parseVmHWM reads the peak resident set size in KiB from a /proc/<pid>/status text.
func parseVmHWM(status string) (int64, error) {
	for _, l := range strings.Split(status, "\n") {
		rest, ok := strings.CutPrefix(l, "VmHWM:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 2 && f[1] == "kB" {
			if v, err := strconv.ParseInt(f[0], 10, 64); err == nil && v >= 0 {
				return v, nil
			}
		}
		return 0, fmt.Errorf("parse VmHWM line %q: want \"VmHWM: <n> kB\"", l)
	}
	return 0, errors.New("parse VmHWM: no VmHWM line in the status")
}

// carrierRe and leaseRe match goinit's network lines: "network: eth0 has carrier after 2.052s;
// DHCP …" and "dhcp eth0: lease 10.99.1.184/24 from 10.99.1.1 after 1.02s and 1 try".
var (
	carrierRe = regexp.MustCompile(`network: \S+ has carrier after (\S+);`)
	leaseRe   = regexp.MustCompile(`dhcp \S+: lease \S+ from \S+ after (\S+) and `)
)

// linkLinesRe selects the console lines parseLinkTimes reads.
const linkLinesRe = `goinit: (network: |dhcp )`

// parseLinkTimes returns the seconds goinit waited for the carrier and for the DHCP lease, both
// counted from bringing the link up (the lease's time includes the carrier's), from its console
// lines (the first of each); ok is false when either line is missing.
func parseLinkTimes(lines []string) (carrier, lease float64, ok bool) {
	var haveC, haveL bool
	for _, l := range lines {
		if m := carrierRe.FindStringSubmatch(l); m != nil && !haveC {
			if d, err := time.ParseDuration(m[1]); err == nil {
				carrier, haveC = d.Seconds(), true
			}
		}
		if m := leaseRe.FindStringSubmatch(l); m != nil && !haveL {
			if d, err := time.ParseDuration(m[1]); err == nil {
				lease, haveL = d.Seconds(), true
			}
		}
	}
	return carrier, lease, haveC && haveL
}
