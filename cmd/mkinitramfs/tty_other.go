//go:build !linux

package main

import "os"

// isTerminal is false where the terminal check is not implemented: no progress lines.
func isTerminal(*os.File) bool { return false }
