package boot

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/goinit/goinit/internal/fsprobe"
	"github.com/goinit/goinit/internal/hint"
	"github.com/goinit/goinit/internal/mountopt"
)

// mountRoot mounts what the attacher handed over on NewRoot, read-only unless rw was given.
func (b *Boot) mountRoot() error {
	m := b.mount
	p := b.Params
	flags := m.Flags | unix.MS_RDONLY
	if p.RW {
		flags &^= unix.MS_RDONLY
	}
	flags, extra := mountopt.Split(p.RootFlags, flags)
	data := mountopt.Join(m.Data, extra)
	fstype := p.RootFSType
	if fstype == "" {
		fstype = m.FSType
	}
	if fstype == "" && strings.HasPrefix(m.Source, "/dev/") {
		t, err := probeType(m.Source)
		if err != nil {
			return hint.Wrap(fmt.Errorf("mount %s: cannot tell its filesystem type: %w", m.Source, err),
				"give the type with rootfstype=<type> (e.g. rootfstype=ext4)")
		}
		fstype = t
	}
	if err := os.MkdirAll(NewRoot, 0o755); err != nil {
		return fmt.Errorf("mkdir %s: %w", NewRoot, err)
	}
	b.loadFS(fstype)
	mode := "ro"
	if flags&unix.MS_RDONLY == 0 {
		mode = "rw"
	}
	b.current = fmt.Sprintf("mount -t %s -o %s %s %s", fstype, mountopt.Join(mode, data), m.Source, NewRoot)
	if err := unix.Mount(m.Source, NewRoot, fstype, flags, data); err != nil {
		return mountHint(fmt.Errorf("mount -t %s -o %s %s %s: %w", fstype, mountopt.Join(mode, data), m.Source, NewRoot, err), fstype, err)
	}
	b.Log.Printf("mounted %s (%s, %s) on %s", m.Source, fstype, mode, NewRoot)
	return nil
}

func probeType(dev string) (string, error) {
	f, err := os.Open(dev)
	if err != nil {
		return "", err
	}
	defer f.Close()
	size, _ := f.Seek(0, 2)
	fs, err := fsprobe.Probe(f, size)
	if err != nil {
		return "", err
	}
	return fs.Type, nil
}

func mountHint(err error, fstype string, errno error) error {
	switch {
	case errors.Is(errno, unix.ENODEV):
		return hint.Wrap(err, fmt.Sprintf("the kernel does not know filesystem %q: is its module in the image? (mkinitramfs --modules %s)", fstype, fstype))
	case errors.Is(errno, unix.EINVAL):
		return hint.Wrap(err, "wrong filesystem type or mount options: check rootfstype= and rootflags=")
	case errors.Is(errno, unix.EROFS), errors.Is(errno, unix.EACCES):
		return hint.Wrap(err, "the device is read-only: boot with ro (the default) instead of rw")
	}
	return err
}
