package union

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/goinit/goinit/internal/hint"
)

// Stack mounts the RW tmpfs and the overlay of it over l.Lower on l.Target. The lower root must
// already be mounted (read-only) on l.Lower.
func Stack(s Spec, l Layout, networkLower bool) error {
	if !hasFilesystem("overlay") {
		return hint.Wrap(fmt.Errorf("stack overlay on %s: the kernel has no overlayfs", l.Target),
			"build the image with the overlay module (mkinitramfs includes it by default) or drop AUFS=1 / rd.overlay")
	}
	if l.Tmpfs != "" {
		if err := os.MkdirAll(l.Tmpfs, 0o755); err != nil {
			return fmt.Errorf("stack overlay: mkdir %s: %w", l.Tmpfs, err)
		}
		if err := unix.Mount("tmpfs", l.Tmpfs, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, TmpfsOptions(s)); err != nil {
			return fmt.Errorf("stack overlay: mount -t tmpfs -o %s tmpfs %s: %w", TmpfsOptions(s), l.Tmpfs, err)
		}
	}
	for _, d := range []string{l.Upper, l.Work, l.Target} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("stack overlay: mkdir %s: %w", d, err)
		}
	}
	// The upper dir's root takes the lower root's mode, so / does not turn 0755-only by accident.
	if fi, err := os.Stat(l.Lower); err == nil {
		os.Chmod(l.Upper, fi.Mode().Perm())
	}
	opts := Options(l, networkLower)
	if err := unix.Mount("overlay", l.Target, "overlay", 0, opts); err != nil {
		return hint.Wrap(fmt.Errorf("stack overlay: mount -t overlay -o %s overlay %s: %w", opts, l.Target, err),
			"the kernel log (dmesg) says why overlayfs refused; the lower root must be a directory tree it can stack on")
	}
	return nil
}

// hasFilesystem reports whether /proc/filesystems lists fstype.
func hasFilesystem(fstype string) bool {
	f, err := os.Open("/proc/filesystems")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 0 && fields[len(fields)-1] == fstype {
			return true
		}
	}
	return false
}
