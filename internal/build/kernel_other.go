//go:build !linux

package build

// runningKernel is unknown off Linux: the newest installed kernel is taken.
func runningKernel() string { return "" }
