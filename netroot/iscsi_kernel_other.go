//go:build !linux

package netroot

import (
	"errors"
	"fmt"
)

// iscsiKernelStart needs Linux's iscsi_tcp.
func iscsiKernelStart(sysRoot string, r iscsiKernelRequest) (iscsiKernelSession, error) {
	return iscsiKernelSession{}, fmt.Errorf("iscsi session for target %q: %w", r.Target, errors.ErrUnsupported)
}
