//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"testing"
)

// sharedDir holds what several tests of one run share (images built by mkinitramfs); it is
// removed when the run ends.
var sharedDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "goinit-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: make shared temp dir: %v\n", err)
		os.Exit(1)
	}
	sharedDir = dir
	code := m.Run()
	if s := bootSummary(); s != "" {
		fmt.Printf("e2e: QEMU start to canary:\n%s", s)
	}
	os.RemoveAll(dir)
	os.Exit(code)
}
