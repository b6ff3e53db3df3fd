//go:build !linux

package modalias

import "syscall"

func finitModule(fd int, params string, flags int) error {
	return syscall.ENOSYS
}
