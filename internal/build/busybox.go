package build

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/goinit/goinit/internal/archive"
)

// busyboxChoice is the outcome of --busybox: a path to a static busybox, or "" with the reason.
type busyboxChoice struct {
	path string
	note string
}

// chooseBusybox resolves --busybox: "none", "auto" (a static busybox on PATH or at
// /bin/busybox, else none and say why) or a path, which must be a static ELF.
func chooseBusybox(spec string) (*busyboxChoice, error) {
	switch spec {
	case BusyboxNone:
		return &busyboxChoice{note: "--busybox none"}, nil
	case BusyboxAuto:
		var candidates []string
		if p, err := exec.LookPath("busybox"); err == nil {
			candidates = append(candidates, p)
		}
		candidates = append(candidates, "/bin/busybox")
		var dynamic []string
		for _, c := range candidates {
			if _, err := os.Stat(c); err != nil {
				continue
			}
			interp, err := elfInterpreter(c)
			if err != nil {
				continue
			}
			if interp != "" {
				dynamic = append(dynamic, c)
				continue
			}
			return &busyboxChoice{path: c}, nil
		}
		if len(dynamic) > 0 {
			return &busyboxChoice{note: fmt.Sprintf("%s is dynamically linked; install a static one (Debian: busybox-static)", dynamic[0])}, nil
		}
		return &busyboxChoice{note: "no busybox on PATH or at /bin/busybox"}, nil
	}
	interp, err := elfInterpreter(spec)
	if err != nil {
		return nil, fmt.Errorf("check --busybox %q: %w", spec, err)
	}
	if interp != "" {
		return nil, fmt.Errorf("check --busybox %q: dynamically linked (interpreter %s), but the image has no shared libraries: give a static busybox (Debian: busybox-static), auto or none", spec, interp)
	}
	return &busyboxChoice{path: spec}, nil
}

// busyboxApplets runs `busybox --list-full` and returns the applet paths it prints.
func busyboxApplets(path string) ([]string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(path, "--list-full")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("list applets: %s --list-full: %w: %s", path, err, strings.TrimSpace(stderr.String()))
	}
	return parseApplets(out), nil
}

// parseApplets reads --list-full output, one path per line ("bin/sh", "sbin/ifconfig");
// blank lines and paths that are not clean relative names are dropped.
func parseApplets(out []byte) []string {
	var list []string
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		n, err := archive.CleanName(line)
		if err != nil {
			continue
		}
		list = append(list, n)
	}
	return list
}

// addBusybox installs /bin/busybox and a symlink to it per applet. Applet paths the image
// already has (/init, goinit's own files) are left alone; it returns how many links it made.
func addBusybox(b *archive.Builder, path string) (int, error) {
	applets, err := busyboxApplets(path)
	if err != nil {
		return 0, fmt.Errorf("add busybox %q: %w", path, err)
	}
	if err := b.AddFileFromHost("/bin/busybox", path, 0o755); err != nil {
		return 0, fmt.Errorf("add busybox %q: %w", path, err)
	}
	n := 0
	for _, a := range applets {
		if b.Has(a) || a == "init" {
			continue
		}
		if err := b.AddSymlink(a, "/bin/busybox"); err != nil {
			// An applet under a path the image holds as a file or link: leave it out.
			continue
		}
		n++
	}
	return n, nil
}
