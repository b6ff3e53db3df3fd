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
	"github.com/goinit/goinit/netroot"
)

// mountRoot mounts what the attacher handed over on NewRoot, read-only unless rw was given.
// When the attacher offers alternatives (NFS v4.2, then v3), they are tried in turn.
func (b *Boot) mountRoot() error {
	if err := os.MkdirAll(b.rootTarget(), 0o755); err != nil {
		return fmt.Errorf("mkdir %s: %w", b.rootTarget(), err)
	}
	var errs []error
	mounts := append([]netroot.Mount{b.mount}, b.mount.Alternatives...)
	b.installIDMapHelper(mounts)
	for _, m := range mounts {
		err := b.mountOne(m)
		if err == nil {
			if b.rootFSType == "nfs4" {
				b.mapOwners(b.rootTarget())
			}
			return nil
		}
		if len(b.mount.Alternatives) > 0 {
			b.Log.Printf("%v", err)
		}
		errs = append(errs, err)
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

func (b *Boot) mountOne(m netroot.Mount) error {
	p := b.Params
	flags := m.Flags | unix.MS_RDONLY
	if p.RW && m.Flags&unix.MS_RDONLY == 0 && b.overlay == nil {
		flags &^= unix.MS_RDONLY
	}
	flags, data := mountopt.Split(m.Data, flags)
	flags, extra := mountopt.Split(p.RootFlags, flags)
	data = mountopt.Join(data, extra)
	if b.overlay != nil {
		flags |= unix.MS_RDONLY // the lower layer is never written
	}
	fstype := p.RootFSType
	if fstype == "" || m.FSType == "nfs" || m.FSType == "nfs4" {
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
	b.loadFS(fstype)
	mode := "ro"
	if flags&unix.MS_RDONLY == 0 {
		mode = "rw"
	}
	target := b.rootTarget()
	cmd := fmt.Sprintf("mount -t %s -o %s %s %s", fstype, mountopt.Join(mode, data), m.Source, target)
	b.current = cmd
	if err := unix.Mount(m.Source, target, fstype, flags, data); err != nil {
		return mountHint(fmt.Errorf("%s: %w", cmd, err), m, fstype, err)
	}
	b.rootFSType = fstype
	b.Log.Printf("mounted %s (%s, %s) on %s", m.Source, fstype, mode, target)
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

func mountHint(err error, m netroot.Mount, fstype string, errno error) error {
	if strings.HasPrefix(fstype, "nfs") {
		return hint.Wrap(err, netroot.ExplainMountError(errno, m))
	}
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
