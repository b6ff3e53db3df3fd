package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

const noCTTY = unix.O_NOCTTY

// ensureProc mounts procfs on /proc unless it is there already.
func ensureProc() error {
	if _, err := os.Stat("/proc/self/mountinfo"); err == nil {
		return nil
	}
	if err := os.MkdirAll("/proc", 0o555); err != nil {
		return fmt.Errorf("mkdir /proc: %w", err)
	}
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mount proc /proc: %w", err)
	}
	return nil
}

// powerOff syncs and asks the kernel to power the machine off. It returns only on failure.
func powerOff() error {
	unix.Sync()
	if err := unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF); err != nil {
		return fmt.Errorf("reboot LINUX_REBOOT_CMD_POWER_OFF: %w", err)
	}
	return nil
}
