//go:build !linux

package netroot

import (
	"errors"
	"fmt"
	"io"
)

// RunNBDSupervisor needs Linux's nbd driver.
func RunNBDSupervisor(name string, args []string, logw io.Writer) int {
	fmt.Fprintf(logw, "%s: %v\n", name, errors.ErrUnsupported)
	return 1
}

// StartNBDSupervisor needs Linux.
func StartNBDSupervisor(exe string, s NBDSupervisor) (int, error) {
	return 0, fmt.Errorf("start %s: %w", s.Argv()[0], errors.ErrUnsupported)
}
