package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// tool finds a program the demo runs, with the Debian package that provides it in the error.
func tool(name, pkg string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("find %s: not installed (package %s): run 'make deps' or 'apt-get install %s'", name, pkg, pkg)
	}
	return p, nil
}

// pickKernel chooses the kernel the guest boots: want when given (it must have both
// bootDir/vmlinuz-<want> and modDir/<want>), else the newest version that has both.
func pickKernel(bootDir, modDir, want string) (kver, vmlinuz string, err error) {
	if want != "" {
		vmlinuz = filepath.Join(bootDir, "vmlinuz-"+want)
		if _, err := os.Stat(vmlinuz); err != nil {
			return "", "", fmt.Errorf("pick kernel -k %q: %w (want a version with %s/vmlinuz-<version>)", want, err, bootDir)
		}
		if _, err := os.Stat(filepath.Join(modDir, want)); err != nil {
			return "", "", fmt.Errorf("pick kernel -k %q: %w (its modules must be installed)", want, err)
		}
		return want, vmlinuz, nil
	}
	images, _ := filepath.Glob(filepath.Join(bootDir, "vmlinuz-*"))
	var versions []string
	for _, img := range images {
		v := strings.TrimPrefix(filepath.Base(img), "vmlinuz-")
		if st, err := os.Stat(filepath.Join(modDir, v)); err == nil && st.IsDir() {
			versions = append(versions, v)
		}
	}
	if len(versions) == 0 {
		return "", "", fmt.Errorf("pick kernel: no %s/vmlinuz-<version> with modules in %s/<version>: run 'apt-get install linux-image-amd64'", bootDir, modDir)
	}
	sort.Slice(versions, func(i, j int) bool { return versionLess(versions[i], versions[j]) })
	v := versions[len(versions)-1]
	return v, filepath.Join(bootDir, "vmlinuz-"+v), nil
}

// versionLess orders kernel versions the way people read them: runs of digits compare as
// numbers ("6.1.0-9" < "6.1.0-56"), everything else byte by byte.
func versionLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

// digitRun is the length of the leading run of ASCII digits in s.
func digitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
