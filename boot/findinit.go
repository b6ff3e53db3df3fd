package boot

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// DefaultInits is the search order when init= is not given.
var DefaultInits = []string{"/sbin/init", "/etc/init", "/bin/init", "/bin/sh"}

// resolveInRoot follows symlinks of p as if root were "/", and returns the host path of the
// final target. Absolute link targets are taken relative to root, never escaping it.
func resolveInRoot(root, p string) (string, error) {
	cur := path.Clean("/" + p)
	for hops := 0; hops < 40; hops++ {
		// Resolve each component so that links in directories (/sbin -> usr/sbin) work too.
		parts := strings.Split(strings.TrimPrefix(cur, "/"), "/")
		resolved := "/"
		changed := false
		for i, part := range parts {
			next := path.Join(resolved, part)
			fi, err := os.Lstat(filepath.Join(root, next))
			if err != nil {
				return "", err
			}
			if fi.Mode()&os.ModeSymlink == 0 {
				resolved = next
				continue
			}
			target, err := os.Readlink(filepath.Join(root, next))
			if err != nil {
				return "", err
			}
			if !path.IsAbs(target) {
				target = path.Join(resolved, target)
			}
			cur = path.Clean("/" + path.Join(append([]string{target}, parts[i+1:]...)...))
			changed = true
			break
		}
		if !changed {
			return filepath.Join(root, resolved), nil
		}
	}
	return "", fmt.Errorf("too many levels of symbolic links in %s", p)
}

// FindInit returns the init to run inside root: want when given (it must exist), else the first
// of DefaultInits that exists and is executable.
func FindInit(root, want string) (string, error) {
	check := func(p string) error {
		host, err := resolveInRoot(root, p)
		if err != nil {
			return err
		}
		fi, err := os.Stat(host)
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return fmt.Errorf("not an executable file (mode %v)", fi.Mode())
		}
		return nil
	}
	if want != "" {
		if err := check(want); err != nil {
			return "", fmt.Errorf("find init %s in the root: %w", want, err)
		}
		return want, nil
	}
	var tried []string
	for _, p := range DefaultInits {
		if err := check(p); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	}
	return "", fmt.Errorf("find init in the root: none of %s exists and is executable", strings.Join(tried, ", "))
}
