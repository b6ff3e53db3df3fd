package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// goinitBinary is the /init of the image.
type goinitBinary struct {
	path   string
	data   []byte
	sha256 string
}

// findGoinit returns the goinit to put in the image: given (--init), else goinit beside the
// executable, else <exe dir>/../lib/goinit/goinit.
func findGoinit(given, executable string) (string, error) {
	if given != "" {
		return given, nil
	}
	if executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("find goinit: locate mkinitramfs itself: %w; give --init PATH", err)
		}
		executable = exe
	}
	if resolved, err := filepath.EvalSymlinks(executable); err == nil {
		executable = resolved
	}
	dir := filepath.Dir(executable)
	candidates := []string{filepath.Join(dir, "goinit"), filepath.Join(dir, "..", "lib", "goinit", "goinit")}
	for _, c := range candidates {
		if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() {
			return c, nil
		}
	}
	return "", fmt.Errorf("find goinit: not at %s or %s; give --init PATH", candidates[0], candidates[1])
}

// loadGoinit reads goinit and refuses a dynamically linked one: the image has no libc.
func loadGoinit(path string) (*goinitBinary, error) {
	interp, err := elfInterpreter(path)
	if err != nil {
		return nil, fmt.Errorf("check --init %q: %w", path, err)
	}
	if interp != "" {
		return nil, fmt.Errorf("check --init %q: dynamically linked (interpreter %s), but the image has no shared libraries: build goinit static with CGO_ENABLED=0 go build ./cmd/goinit", path, interp)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read --init %q: %w", path, err)
	}
	sum := sha256.Sum256(data)
	return &goinitBinary{path: path, data: data, sha256: hex.EncodeToString(sum[:])}, nil
}
