package boot

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// pivotTmp is where the initramfs is copied before goinit moves into the copy.
const pivotTmp = "/.pivot"

// enterTmpfs is the first half of the seed's pivot mode: copy the initramfs into a tmpfs, move
// the API filesystems over, free the initramfs and make the tmpfs "/". pivot_root cannot work
// from the initramfs (rootfs can never be unmounted); from a tmpfs it can.
func (b *Boot) enterTmpfs() error {
	opts := "mode=0755"
	if b.overlay != nil && b.overlay.Size != "" {
		opts += ",size=" + b.overlay.Size
	}
	if err := os.MkdirAll(pivotTmp, 0o755); err != nil {
		return fmt.Errorf("mkdir %s: %w", pivotTmp, err)
	}
	if err := unix.Mount("tmpfs", pivotTmp, "tmpfs", 0, opts); err != nil {
		return fmt.Errorf("mount -t tmpfs -o %s tmpfs %s: %w", opts, pivotTmp, err)
	}
	var rst unix.Stat_t
	if err := unix.Stat("/", &rst); err != nil {
		return fmt.Errorf("stat /: %w", err)
	}
	n, err := copyTree("/", pivotTmp, rst.Dev, pivotTmp)
	if err != nil {
		return fmt.Errorf("copy the initramfs to %s: %w", pivotTmp, err)
	}
	b.Log.Printf("copied the initramfs (%d KiB) into a tmpfs", n>>10)
	for _, m := range apiMounts {
		if err := unix.Mount(m, pivotTmp+m, "", unix.MS_MOVE, ""); err != nil {
			return fmt.Errorf("mount --move %s %s: %w", m, pivotTmp+m, err)
		}
	}
	removeTree("/", rst.Dev, pivotTmp)
	if err := unix.Chdir(pivotTmp); err != nil {
		return fmt.Errorf("chdir %s: %w", pivotTmp, err)
	}
	if err := unix.Mount(".", "/", "", unix.MS_MOVE, ""); err != nil {
		return fmt.Errorf("mount --move %s /: %w", pivotTmp, err)
	}
	if err := unix.Chroot("."); err != nil {
		return fmt.Errorf("chroot %s: %w", pivotTmp, err)
	}
	return unix.Chdir("/")
}

// copyTree copies the files of src that live on device dev into dst, skipping skip and other
// filesystems' contents (their mount point directories are created). It returns the bytes copied.
func copyTree(src, dst string, dev uint64, skip string) (int64, error) {
	var total int64
	ents, err := os.ReadDir(src)
	if err != nil {
		return 0, err
	}
	for _, e := range ents {
		s := filepath.Join(src, e.Name())
		d := filepath.Join(dst, e.Name())
		if s == skip {
			continue
		}
		var st unix.Stat_t
		if err := unix.Lstat(s, &st); err != nil {
			return total, err
		}
		mode := os.FileMode(st.Mode & 0o7777)
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			if err := os.Mkdir(d, 0o755); err != nil && !os.IsExist(err) {
				return total, err
			}
			if st.Dev == dev {
				n, err := copyTree(s, d, dev, skip)
				total += n
				if err != nil {
					return total, err
				}
			}
			os.Chmod(d, mode|os.ModeSticky&os.FileMode(st.Mode))
			unix.Chmod(d, st.Mode&0o7777)
		case unix.S_IFLNK:
			t, err := os.Readlink(s)
			if err != nil {
				return total, err
			}
			if err := os.Symlink(t, d); err != nil {
				return total, err
			}
		case unix.S_IFREG:
			n, err := copyFile(s, d, st.Mode&0o7777)
			total += n
			if err != nil {
				return total, err
			}
		case unix.S_IFCHR, unix.S_IFBLK, unix.S_IFIFO:
			if err := unix.Mknod(d, st.Mode, int(st.Rdev)); err != nil {
				return total, fmt.Errorf("mknod %s: %w", d, err)
			}
		}
	}
	return total, nil
}

func copyFile(src, dst string, perm uint32) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, os.FileMode(perm))
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	unix.Chmod(dst, perm) // keep setuid bits the umask or OpenFile dropped
	return n, err
}

// pivotRoot is the second half of pivot mode: the new root becomes "/" and the tmpfs goinit
// runs from stays visible at /initrd, with the lower root at /initrd/mnt and the writes at
// /initrd/.rw. It returns only on failure.
func (b *Boot) pivotRoot() error {
	began := time.Now()
	name := "pivot_root " + NewRoot + " " + NewRoot + PivotOld + "; exec " + b.initPath
	b.current = name
	b.Log.Printf("pivoting to %s on %s: %s", b.initPath, b.mount.Source, b.Summary())
	if b.Params.Debug {
		b.Log.Raw(b.TL.Table())
	}
	b.prepareSwitch()
	fail := func(err error) error { return &StepError{Step: name, Stage: "switch", Err: err} }
	if err := os.MkdirAll(NewRoot+PivotOld, 0o755); err != nil {
		return fail(fmt.Errorf("mkdir %s: %w (pivot mode needs a writable root: use it with AUFS=1 or rd.overlay, or give the root an /initrd directory)", NewRoot+PivotOld, err))
	}
	for _, m := range apiMounts {
		dst := NewRoot + m
		if err := os.MkdirAll(dst, 0o755); err != nil {
			unix.Unmount(m, unix.MNT_DETACH)
			continue
		}
		if err := unix.Mount(m, dst, "", unix.MS_MOVE, ""); err != nil {
			return fail(fmt.Errorf("mount --move %s %s: %w", m, dst, err))
		}
	}
	if err := unix.Chdir(NewRoot); err != nil {
		return fail(fmt.Errorf("chdir %s: %w", NewRoot, err))
	}
	if err := unix.PivotRoot(".", "."+PivotOld); err != nil {
		return fail(fmt.Errorf("pivot_root . .%s: %w", PivotOld, err))
	}
	if err := unix.Chroot("."); err != nil {
		return fail(fmt.Errorf("chroot .: %w", err))
	}
	unix.Chdir("/")
	b.TL.Add(name, "switch", began, nil)
	if err := b.TL.WriteFile(TimelinePath); err != nil {
		b.Log.Printf("warning: %v", err)
	}
	argv := append([]string{b.initPath}, os.Args[1:]...)
	err := syscall.Exec(b.initPath, argv, initEnv(os.Environ()))
	return fail(fmt.Errorf("exec %s: %w", b.initPath, err))
}
