//go:build e2e

package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Env is what every boot needs: the repository, the kernel and QEMU.
type Env struct {
	Repo   string // directory holding go.mod
	Out    string // <Repo>/out, where make puts the binaries
	KVer   string // kernel version: /lib/modules/<KVer> exists
	Kernel string // /boot/vmlinuz-<KVer>
	QEMU   string // qemu-system-x86_64
}

var (
	envOnce sync.Once
	envVal  *Env
	envErr  error
)

// hintDeps ends every message about a missing piece of the test machine.
const hintDeps = "run `make deps` (installs the Debian packages) and `make e2e` (builds out/)"

// env finds the repository, kernel and QEMU once per run. A missing piece fails the test (never
// a skip: CI must not pass by skipping).
func env(t testing.TB) *Env {
	t.Helper()
	envOnce.Do(func() {
		e := &Env{}
		wd, err := os.Getwd()
		if err != nil {
			envErr = fmt.Errorf("getwd: %w", err)
			return
		}
		if e.Repo, err = findRepo(wd); err != nil {
			envErr = err
			return
		}
		e.Out = filepath.Join(e.Repo, "out")
		if e.KVer, e.Kernel, err = findKernel("/boot", "/lib/modules"); err != nil {
			envErr = fmt.Errorf("%w; %s", err, hintDeps)
			return
		}
		if e.QEMU, err = lookTool("qemu-system-x86_64", "qemu-system-x86"); err != nil {
			envErr = err
			return
		}
		envVal = e
	})
	if envErr != nil {
		t.Fatalf("e2e environment: %v", envErr)
	}
	return envVal
}

// Bin returns <repo>/out/<name>, failing the test when it has not been built.
func (e *Env) Bin(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(e.Out, name)
	st, err := os.Stat(p)
	if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		t.Fatalf("e2e: binary %s is missing (build it with `make %s`, or `make e2e` for all); %s", p, name, hintDeps)
	}
	return p
}

// Tool returns the path of a command from a Debian package, failing the test when it is missing.
func Tool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := lookTool(name, pkg)
	if err != nil {
		t.Fatalf("e2e: %v", err)
	}
	return p
}

func lookTool(name, pkg string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("command %s is missing (package %s); %s", name, pkg, hintDeps)
}

// findRepo walks up from dir to the directory holding go.mod.
func findRepo(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("find repository root from %s: no go.mod in it or above", dir)
		}
	}
}

// findKernel picks the newest <boot>/vmlinuz-<v> whose <modules>/<v> directory exists.
func findKernel(boot, modules string) (kver, kernel string, err error) {
	matches, err := filepath.Glob(filepath.Join(boot, "vmlinuz-*"))
	if err != nil {
		return "", "", fmt.Errorf("find kernel in %s: %w", boot, err)
	}
	var vers []string
	for _, m := range matches {
		v := strings.TrimPrefix(filepath.Base(m), "vmlinuz-")
		if st, err := os.Stat(filepath.Join(modules, v)); err == nil && st.IsDir() {
			vers = append(vers, v)
		}
	}
	if len(vers) == 0 {
		return "", "", errors.New("find kernel: no " + filepath.Join(boot, "vmlinuz-<version>") +
			" with a matching " + filepath.Join(modules, "<version>") + " (package linux-image-amd64)")
	}
	sort.Slice(vers, func(i, j int) bool { return versionLess(vers[i], vers[j]) })
	v := vers[len(vers)-1]
	return v, filepath.Join(boot, "vmlinuz-"+v), nil
}

// versionLess compares kernel versions: runs of digits as numbers, other runs as text.
func versionLess(a, b string) bool {
	pa, pb := versionParts(a), versionParts(b)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		if ea == nil && eb == nil {
			return na < nb
		}
		return pa[i] < pb[i]
	}
	return len(pa) < len(pb)
}

func versionParts(s string) []string {
	var parts []string
	start := 0
	for i := 1; i <= len(s); i++ {
		if i == len(s) || isDigit(s[i]) != isDigit(s[i-1]) {
			parts = append(parts, s[start:i])
			start = i
		}
	}
	return parts
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
