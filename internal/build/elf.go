package build

import (
	"debug/elf"
	"fmt"
	"io"
	"os"
)

// elfInterpreter returns the program interpreter (PT_INTERP) of the ELF executable at path,
// "" for a statically linked one.
func elfInterpreter(path string) (string, error) {
	raw, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer raw.Close()
	var magic [4]byte
	if _, err := io.ReadFull(raw, magic[:]); err != nil || string(magic[:]) != elf.ELFMAG {
		return "", fmt.Errorf("not an ELF executable (it starts with %q)", magic[:])
	}
	f, err := elf.NewFile(raw)
	if err != nil {
		return "", fmt.Errorf("not a readable ELF executable: %w", err)
	}
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return "", fmt.Errorf("ELF type %v is not an executable", f.Type)
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(p.Open(), 4096))
		if err != nil {
			return "", fmt.Errorf("read ELF interpreter: %w", err)
		}
		for len(b) > 0 && b[len(b)-1] == 0 {
			b = b[:len(b)-1]
		}
		if len(b) == 0 {
			return "(empty PT_INTERP)", nil
		}
		return string(b), nil
	}
	return "", nil
}
