package modalias

import "golang.org/x/sys/unix"

// finitModule inserts the module open on fd with finit_module(2).
func finitModule(fd int, params string, flags int) error {
	return unix.FinitModule(fd, params, flags)
}

// initModule inserts the module ELF image with init_module(2).
func initModule(image []byte, params string) error {
	return unix.InitModule(image, params)
}
