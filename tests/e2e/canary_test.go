//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Canary is what the canary (tests/canary) reported about itself in its first line.
type Canary struct {
	PID    int
	Argv   []string
	Root   string // "rw" or "ro"
	FSType string
	Source string
	At     time.Duration // since QEMU start
}

var canaryRe = regexp.MustCompile(`GOINIT-CANARY pid=(\d+) argv=(\[.*\]) root=(rw|ro) fstype=(\S+) source=(\S*)`)

// canaryMarker matches the canary's first line.
const canaryMarker = `GOINIT-CANARY pid=`

// parseCanary reads the canary's first line.
func parseCanary(line string) (Canary, error) {
	m := canaryRe.FindStringSubmatch(line)
	if m == nil {
		return Canary{}, fmt.Errorf("parse canary line %q: want GOINIT-CANARY pid=<n> argv=<json> root=<rw|ro> fstype=<t> source=<s>", line)
	}
	var c Canary
	c.PID, _ = strconv.Atoi(m[1])
	if err := json.Unmarshal([]byte(m[2]), &c.Argv); err != nil {
		return Canary{}, fmt.Errorf("parse canary line %q: argv %s: %w", line, m[2], err)
	}
	c.Root, c.FSType, c.Source = m[3], m[4], m[5]
	return c, nil
}

// WaitCanary waits for the canary's first line, parses it and records the boot time.
func (vm *VM) WaitCanary(timeout time.Duration) Canary {
	vm.t.Helper()
	line := vm.WaitFor(canaryMarker, timeout)
	c, err := parseCanary(line)
	if err != nil {
		vm.t.Fatal(err)
	}
	c.At = vm.Since()
	recordBoot(vm.t.Name(), c.At)
	vm.t.Logf("canary reached %.1fs after QEMU start: %s", c.At.Seconds(), line)
	return c
}

// Check waits for the canary's result line of one check, e.g. Check("write", "/x", d), and
// returns its status (ok, mismatch, failed, error) and detail.
func (vm *VM) Check(kind, subject string, timeout time.Duration) (status, detail string) {
	vm.t.Helper()
	prefix := "GOINIT-CANARY-CHECK " + kind + " " + subject + " "
	line := vm.WaitFor(regexp.QuoteMeta(prefix), timeout)
	rest := line[strings.Index(line, prefix)+len(prefix):]
	status, detail, _ = strings.Cut(rest, " ")
	return status, detail
}

// WaitPowerOff waits for the canary's end and the kernel's power-off, then for QEMU to exit.
func (vm *VM) WaitPowerOff(timeout time.Duration) {
	vm.t.Helper()
	vm.WaitFor(`GOINIT-CANARY-DONE`, timeout)
	vm.WaitFor(`reboot: Power down`, timeout)
	d := vm.WaitExit(timeout)
	vm.t.Logf("QEMU exited %.1fs after start (power off)", d.Seconds())
}

// bootTimes collects each test's time from QEMU start to the canary, printed after the run.
var bootTimes struct {
	mu sync.Mutex
	m  map[string]time.Duration
}

func recordBoot(name string, d time.Duration) {
	bootTimes.mu.Lock()
	defer bootTimes.mu.Unlock()
	if bootTimes.m == nil {
		bootTimes.m = map[string]time.Duration{}
	}
	bootTimes.m[name] = d
}

// bootSummary formats the recorded boot times, one test a line.
func bootSummary() string {
	bootTimes.mu.Lock()
	defer bootTimes.mu.Unlock()
	names := make([]string, 0, len(bootTimes.m))
	for n := range bootTimes.m {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "  %-40s %6.1fs\n", n, bootTimes.m[n].Seconds())
	}
	return b.String()
}
