package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/goinit/goinit/netroot"
)

// isSupervisor reports whether argv[0] names the NBD reconnect supervisor ("@goinit-nbd0"),
// which goinit starts before switch_root and which outlives it.
func isSupervisor(argv0 string) bool {
	return strings.HasPrefix(filepath.Base(argv0), netroot.NBDSupervisorPrefix)
}

// supervise runs the NBD reconnect supervisor; its lines go to stderr (/dev/kmsg).
func supervise(args []string) int {
	return netroot.RunNBDSupervisor(filepath.Base(args[0]), args[1:], os.Stderr)
}
