package main

import (
	"fmt"
	"os"
	"sync"
)

// cleanups is the demo's undo list: every resource the demo creates (temp dir, lock, namespace,
// server, QEMU) registers how to remove it, and run removes them in reverse order, once, also
// after Ctrl-C.
type cleanups struct {
	mu    sync.Mutex
	steps []cleanupStep
	done  bool
}

type cleanupStep struct {
	what string
	fn   func() error
}

// add registers fn; what names the resource for the error message.
func (c *cleanups) add(what string, fn func() error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.steps = append(c.steps, cleanupStep{what, fn})
}

// run undoes everything in reverse order and reports each failure on stderr; it returns how many
// failed. Calls after the first do nothing.
func (c *cleanups) run() int {
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		return 0
	}
	c.done = true
	steps := c.steps
	c.steps = nil
	c.mu.Unlock()
	failed := 0
	for i := len(steps) - 1; i >= 0; i-- {
		if err := steps[i].fn(); err != nil {
			fmt.Fprintf(os.Stderr, "demo: clean up %s: %v\n", steps[i].what, err)
			failed++
		}
	}
	return failed
}
