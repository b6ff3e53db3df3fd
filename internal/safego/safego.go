// Package safego keeps a panic in a background goroutine from ending the process. goinit is
// PID 1: a panic anywhere, in any goroutine, would end it and panic the kernel, so every
// goroutine of the boot path runs its body through Do.
package safego

import (
	"fmt"
	"runtime/debug"
)

// Do runs fn and turns a panic in it into a call of report with the goroutine's name, the
// panic value and the stack; it returns the panic as an error (nil when fn returned). report
// may be nil.
func Do(name string, report func(format string, args ...any), fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: panic: %v", name, r)
			if report != nil {
				report("%v (recovered; the boot goes on)\n%s", err, debug.Stack())
			}
		}
	}()
	fn()
	return nil
}

// Go runs fn in a new goroutine through Do.
func Go(name string, report func(format string, args ...any), fn func()) {
	go Do(name, report, fn)
}
