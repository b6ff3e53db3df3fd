package build

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// resolveKernel picks the kernel version to build for: requested if given (its module
// directory must exist), else running if base/running exists, else the newest directory under
// base by version order.
func resolveKernel(base, requested, running string) (string, error) {
	if requested != "" {
		if strings.ContainsRune(requested, '/') || requested == "." || requested == ".." {
			return "", fmt.Errorf("find kernel -k %q: want a kernel release like 6.1.0-56-amd64, not a path", requested)
		}
		if isDir(filepath.Join(base, requested)) {
			return requested, nil
		}
		return "", fmt.Errorf("find kernel -k %q: %s does not exist; %s", requested, filepath.Join(base, requested), installed(base))
	}
	if running != "" && isDir(filepath.Join(base, running)) {
		return running, nil
	}
	versions := kernelDirs(base)
	if len(versions) == 0 {
		return "", fmt.Errorf("find kernel: the running kernel %q has no %s and %s; give -k KVER and --moddir DIR",
			running, filepath.Join(base, running), installed(base))
	}
	return versions[len(versions)-1], nil
}

// kernelDirs returns the directories under base, in version order.
func kernelDirs(base string) []string {
	ents, err := os.ReadDir(base)
	if err != nil {
		return nil
	}
	var vs []string
	for _, e := range ents {
		if isDir(filepath.Join(base, e.Name())) {
			vs = append(vs, e.Name())
		}
	}
	sort.Slice(vs, func(i, j int) bool { return versionLess(vs[i], vs[j]) })
	return vs
}

func installed(base string) string {
	vs := kernelDirs(base)
	if len(vs) == 0 {
		return fmt.Sprintf("no kernel module directories in %s", base)
	}
	return fmt.Sprintf("installed in %s: %s", base, strings.Join(vs, ", "))
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// versionLess orders like sort -V for kernel releases: runs of digits compare as numbers,
// everything else byte by byte; a release that is a prefix of another sorts first.
func versionLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := isDigit(a[0]), isDigit(b[0])
		if da && db {
			na, ra := digitRun(a)
			nb, rb := digitRun(b)
			na, nb = strings.TrimLeft(na, "0"), strings.TrimLeft(nb, "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitRun(s string) (run, rest string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}
