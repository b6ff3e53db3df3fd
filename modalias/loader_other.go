//go:build !linux

package modalias

import "syscall"

func finitModule(fd int, params string, flags int) error {
	return syscall.ENOSYS
}

func initModule(image []byte, params string) error {
	return syscall.ENOSYS
}
