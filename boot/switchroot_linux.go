package boot

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// apiMounts are moved into the new root so the real init finds them (and the timeline in /run).
var apiMounts = []string{"/dev", "/proc", "/sys", "/run"}

// switchRoot starts freeing the initramfs, moves the API filesystems into the new root, makes
// the new root "/" and execs the real init. It returns only on failure.
func (b *Boot) switchRoot() error {
	began := time.Now()
	name := "switch_root " + NewRoot + " " + b.initPath
	b.current = name
	b.Log.Printf("switching to %s on %s: %s", b.initPath, b.mount.Source, b.Summary())
	if b.Params.Debug {
		b.Log.Raw(b.TL.Table())
	}
	b.prepareSwitch()

	var st unix.Statfs_t
	if err := unix.Statfs("/", &st); err != nil {
		return &StepError{Step: name, Stage: "switch", Err: fmt.Errorf("statfs /: %w", err)}
	}
	if st.Type == unix.RAMFS_MAGIC || st.Type == unix.TMPFS_MAGIC {
		// Before the API filesystems move: the helper runs from /proc/self/exe.
		b.freeInitramfs(NewRoot)
	} else {
		b.Log.Printf("warning: / is not ramfs or tmpfs (type %#x): the initramfs is left in place", st.Type)
	}
	for _, m := range apiMounts {
		dst := NewRoot + m
		if err := os.MkdirAll(dst, 0o755); err != nil {
			b.Log.Printf("warning: %s has no %s (%v): unmounting it instead of moving it", NewRoot, m, err)
			unix.Unmount(m, unix.MNT_DETACH)
			continue
		}
		if err := unix.Mount(m, dst, "", unix.MS_MOVE, ""); err != nil {
			return &StepError{Step: name, Stage: "switch", Err: fmt.Errorf("mount --move %s %s: %w", m, dst, err)}
		}
	}
	if err := unix.Chdir(NewRoot); err != nil {
		return &StepError{Step: name, Stage: "switch", Err: fmt.Errorf("chdir %s: %w", NewRoot, err)}
	}
	if err := unix.Mount(".", "/", "", unix.MS_MOVE, ""); err != nil {
		return &StepError{Step: name, Stage: "switch", Err: fmt.Errorf("mount --move %s /: %w", NewRoot, err)}
	}
	if err := unix.Chroot("."); err != nil {
		return &StepError{Step: name, Stage: "switch", Err: fmt.Errorf("chroot %s: %w", NewRoot, err)}
	}
	unix.Chdir("/")
	b.TL.Add(name, "switch", began, nil)
	if err := b.TL.WriteFile(TimelinePath); err != nil {
		b.Log.Printf("warning: %v", err)
	}
	argv := append([]string{b.initPath}, os.Args[1:]...)
	err := syscall.Exec(b.initPath, argv, initEnv(os.Environ()))
	return &StepError{Step: name, Stage: "switch", Err: fmt.Errorf("exec %s: %w", b.initPath, err)}
}

// prepareSwitch stops what goinit started that must not outlive it.
func (b *Boot) prepareSwitch() {
	if b.stopDevs != nil {
		b.stopDevs()
	}
	b.restoreModprobe()
}

// initEnv is the kernel's environment for init plus sane defaults.
func initEnv(env []string) []string {
	have := map[string]bool{}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		have[k] = true
	}
	for _, d := range []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", "TERM=linux"} {
		k, _, _ := strings.Cut(d, "=")
		if !have[k] {
			env = append(env, d)
		}
	}
	return env
}

// removeTree deletes everything under dir that lives on device dev, skipping keep and any other
// mount point. It returns the number of bytes freed. Errors are ignored: this is best effort
// cleanup of a RAM filesystem about to become unreachable.
func removeTree(dir string, dev uint64, keep string) int64 {
	var freed int64
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		if p == keep {
			continue
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil || st.Dev != dev {
			continue
		}
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			freed += removeTree(p, dev, keep)
			if err := unix.Rmdir(p); err != nil && !errors.Is(err, unix.ENOTEMPTY) && !errors.Is(err, unix.EBUSY) {
				continue
			}
			continue
		}
		if unix.Unlink(p) == nil {
			freed += st.Size
		}
	}
	return freed
}
