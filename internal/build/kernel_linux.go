package build

import "golang.org/x/sys/unix"

// runningKernel returns uname -r, or "" if uname fails.
func runningKernel() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}
