package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// nsPrefix names the demo's network namespaces: goinit-demo-<pid of the demo>.
const nsPrefix = "goinit-demo-"

// serverIP is the address of tap0 in the demo's namespace; the guest gets 10.99.0.100-199.
const (
	serverIP   = "10.99.0.1"
	serverCIDR = serverIP + "/24"
)

// ipCmd runs ip(8) with args and returns an error with its output when it fails.
func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// createNamespace makes namespace ns with loopback up and a tap device tap0 (serverCIDR, up)
// that QEMU attaches to. Nothing outside ns is touched.
func createNamespace(ns string) error {
	if err := ipCmd("netns", "add", ns); err != nil {
		return fmt.Errorf("create namespace %s: %w", ns, err)
	}
	for _, args := range [][]string{
		{"-n", ns, "link", "set", "lo", "up"},
		{"-n", ns, "tuntap", "add", "dev", "tap0", "mode", "tap"},
		{"-n", ns, "addr", "add", serverCIDR, "dev", "tap0"},
		{"-n", ns, "link", "set", "tap0", "up"},
	} {
		if err := ipCmd(args...); err != nil {
			return fmt.Errorf("set up namespace %s: %w", ns, err)
		}
	}
	return nil
}

// deleteNamespace removes ns (with tap0 in it).
func deleteNamespace(ns string) error {
	return ipCmd("netns", "del", ns)
}

// staleNamespaces returns the demo namespaces in `ip netns list` output whose demo process no
// longer runs (a demo killed with SIGKILL cannot clean up).
func staleNamespaces(list string, alive func(pid int) bool) []string {
	var stale []string
	for _, line := range strings.Split(list, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], nsPrefix) {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimPrefix(f[0], nsPrefix))
		if err != nil || pid <= 0 {
			continue
		}
		if !alive(pid) {
			stale = append(stale, f[0])
		}
	}
	return stale
}

// pidAlive reports whether a process with this PID exists.
func pidAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// removeStaleNamespaces deletes namespaces left by earlier demos that were killed.
func removeStaleNamespaces() {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, ns := range staleNamespaces(string(out), pidAlive) {
		if err := deleteNamespace(ns); err != nil {
			fmt.Fprintf(os.Stderr, "demo: remove namespace %s left by an earlier demo: %v\n", ns, err)
			continue
		}
		say("    removed namespace %s left by an earlier demo that no longer runs", ns)
	}
}
