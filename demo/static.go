package main

import (
	"debug/elf"
	"fmt"
)

// checkStatic fails when the ELF file at path asks for a program interpreter (dynamic linking):
// the demo root has no libc, so its busybox must be static.
func checkStatic(path, pkg string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("check %s: dynamically linked, the demo root needs a static one: run 'apt-get install %s'", path, pkg)
		}
	}
	return nil
}
