package main

import (
	"io"
	"os"
	"sync"
)

// console writes whole lines, each with a single write, so that the kernel's own messages on the
// serial port do not cut into them.
type console struct {
	mu sync.Mutex
	w  io.Writer
}

// openConsole opens /dev/console for writing when the canary is PID 1, and falls back to stdout
// (also when it is started by hand, so that it never writes to a host's console).
func openConsole() *console {
	if os.Getpid() != 1 {
		return &console{w: os.Stdout}
	}
	f, err := os.OpenFile("/dev/console", os.O_WRONLY|noCTTY, 0)
	if err != nil {
		return &console{w: os.Stdout}
	}
	return &console{w: f}
}

// Line prints s and a newline.
func (c *console) Line(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.w.Write([]byte(s + "\n")) //nolint:errcheck // nowhere else to report it
}
