package main

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// rootDirs are the directories of the demo root.
var rootDirs = []string{"bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "run", "tmp",
	"etc", "root", "mnt", "var", strings.TrimPrefix(guestAwkDir, "/")}

// rootFiles are the demo root's small text files (path inside the root, content).
var rootFiles = [][2]string{
	{"etc/os-release", "NAME=\"goinit demo\"\nID=goinit-demo\nPRETTY_NAME=\"goinit demo root (busybox)\"\n"},
	{"etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"},
	{"etc/group", "root:x:0:\n"},
	{"etc/profile", "export PATH=/sbin:/bin:/usr/sbin:/usr/bin\nexport PS1='\\h:\\w# '\n"},
	{strings.TrimPrefix(guestAwkDir, "/") + "/timeline.awk", timelineAwk},
	{strings.TrimPrefix(guestAwkDir, "/") + "/root.awk", rootAwk},
}

// parseApplets reads `busybox --list-full` output ("bin/ls", "usr/bin/awk", …) into the paths
// to link to /bin/busybox, leaving out linuxrc and sbin/init (the demo's own init).
func parseApplets(out string) ([]string, error) {
	var paths []string
	for _, line := range strings.Split(out, "\n") {
		p := strings.TrimSpace(line)
		if p == "" || p == "linuxrc" || p == "sbin/init" {
			continue
		}
		if strings.HasPrefix(p, "/") || path.Clean(p) != p || strings.HasPrefix(p, "../") || p == "." || p == ".." {
			return nil, fmt.Errorf("parse busybox --list-full: applet path %q: want a relative path like bin/ls", p)
		}
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("parse busybox --list-full: no applets listed")
	}
	return paths, nil
}

// buildRoot writes the demo root into dir: a static busybox with its applet links, a few /etc
// files, the awk programs and /sbin/init. It returns how many applets were linked.
func buildRoot(dir, busybox string) (int, error) {
	for _, d := range rootDirs {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return 0, fmt.Errorf("build root: %w", err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "tmp"), 0o1777); err != nil {
		return 0, fmt.Errorf("build root: %w", err)
	}
	bb, err := os.ReadFile(busybox)
	if err != nil {
		return 0, fmt.Errorf("build root: copy busybox: %w", err)
	}
	if err := writeFile(filepath.Join(dir, "bin/busybox"), bb, 0o755); err != nil {
		return 0, err
	}
	list, err := exec.Command(busybox, "--list-full").Output()
	if err != nil {
		return 0, fmt.Errorf("build root: %s --list-full: %w", busybox, err)
	}
	applets, err := parseApplets(string(list))
	if err != nil {
		return 0, fmt.Errorf("build root: %w", err)
	}
	for _, a := range applets {
		dst := filepath.Join(dir, a)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return 0, fmt.Errorf("build root: %w", err)
		}
		if err := os.Symlink("/bin/busybox", dst); err != nil && !os.IsExist(err) {
			return 0, fmt.Errorf("build root: link applet %s: %w", a, err)
		}
	}
	for _, f := range rootFiles {
		if err := writeFile(filepath.Join(dir, f[0]), []byte(f[1]), 0o644); err != nil {
			return 0, err
		}
	}
	if err := writeFile(filepath.Join(dir, "sbin/init"), []byte(guestInit), 0o755); err != nil {
		return 0, err
	}
	return len(applets), nil
}

// writeFile writes data with exactly mode (no umask).
func writeFile(name string, data []byte, mode os.FileMode) error {
	if err := os.WriteFile(name, data, mode); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Chmod(name, mode); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// makeExt4 writes an ext4 image of tree (mkfs.ext4 -d: no loop device, no mount).
func makeExt4(tree, img string, sizeMB int) error {
	out, err := exec.Command("mkfs.ext4", "-q", "-F", "-L", "demo-root", "-E", "root_owner=0:0",
		"-d", tree, img, fmt.Sprintf("%dM", sizeMB)).CombinedOutput()
	if err != nil {
		return fmt.Errorf("make ext4 image %s: %w: %s", img, err, strings.TrimSpace(string(out)))
	}
	return nil
}
