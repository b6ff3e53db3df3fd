// Package daemon starts goinit's helper processes (the NBD supervisor, the initramfs deleter):
// copies of goinit that run on after the switch, so nothing waits for them.
package daemon

import (
	"fmt"
	"os"
	"syscall"
)

// Start runs exe with argv as a new session leader in "/", with stdin /dev/null, stdout and
// stderr /dev/kmsg (the console when kmsg cannot be opened) and extra as fds 3, 4, …, and returns
// its PID. The process is not waited for: after the exec of the real init, init inherits (and
// reaps) it.
func Start(exe string, argv, env []string, extra ...*os.File) (int, error) {
	null, err := os.Open("/dev/null")
	if err != nil {
		return 0, fmt.Errorf("start %s: %w", argv[0], err)
	}
	defer null.Close()
	out, err := os.OpenFile("/dev/kmsg", os.O_WRONLY, 0)
	if err != nil {
		if out, err = os.OpenFile("/dev/console", os.O_WRONLY, 0); err != nil {
			return 0, fmt.Errorf("start %s: %w", argv[0], err)
		}
	}
	defer out.Close()
	p, err := os.StartProcess(exe, argv, &os.ProcAttr{
		Dir:   "/",
		Env:   env,
		Files: append([]*os.File{null, out, out}, extra...),
		Sys:   &syscall.SysProcAttr{Setsid: true},
	})
	if err != nil {
		return 0, fmt.Errorf("start %s %s: %w", exe, argv[0], err)
	}
	pid := p.Pid
	p.Release() //nolint:errcheck // nothing to release on Linux but the handle
	return pid, nil
}
