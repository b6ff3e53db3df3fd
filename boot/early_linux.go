package boot

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// earlyMount is one of the API filesystems goinit mounts before anything else.
type earlyMount struct {
	target, fstype, source string
	flags                  uintptr
	data                   string
}

var earlyMounts = []earlyMount{
	{"/proc", "proc", "proc", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
	{"/sys", "sysfs", "sysfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
	{"/dev", "devtmpfs", "devtmpfs", unix.MS_NOSUID, "mode=0755"},
	{"/run", "tmpfs", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=0755"},
}

// MountEarly mounts /proc, /sys, devtmpfs on /dev and a tmpfs on /run. A target that is already
// a mount (EBUSY) is fine.
func MountEarly() error {
	var errs []error
	for _, m := range earlyMounts {
		if err := os.MkdirAll(m.target, 0o755); err != nil {
			errs = append(errs, fmt.Errorf("mkdir %s: %w", m.target, err))
			continue
		}
		if err := unix.Mount(m.source, m.target, m.fstype, m.flags, m.data); err != nil && !errors.Is(err, unix.EBUSY) {
			errs = append(errs, fmt.Errorf("mount -t %s %s %s: %w", m.fstype, m.source, m.target, err))
		}
	}
	// /dev/pts and /dev/shm make the debug shell usable; failures here are not fatal.
	os.MkdirAll("/dev/pts", 0o755)
	unix.Mount("devpts", "/dev/pts", "devpts", unix.MS_NOSUID|unix.MS_NOEXEC, "gid=5,mode=620,ptmxmode=000")
	return errors.Join(errs...)
}
