//go:build !linux

package netroot

import (
	"errors"
	"fmt"
)

// NBDConnect needs Linux's nbd driver.
func NBDConnect(r NBDConnectRequest) (int, error) {
	return -1, fmt.Errorf("nbd connect %s: %w", nbdDeviceName(r.Index), errors.ErrUnsupported)
}

// NBDDisconnect needs Linux's nbd driver.
func NBDDisconnect(index int) error {
	return fmt.Errorf("nbd disconnect %s: %w", nbdDeviceName(index), errors.ErrUnsupported)
}

// NBDReconfigure needs Linux's nbd driver.
func NBDReconfigure(r NBDReconfigureRequest) error {
	return fmt.Errorf("nbd reconfigure %s: %w", nbdDeviceName(r.Index), errors.ErrUnsupported)
}
