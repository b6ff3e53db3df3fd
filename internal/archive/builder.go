// Package archive writes and reads the newc cpio archives the kernel unpacks into its rootfs:
// an in-memory builder with explicit directory records, deterministic order, inode numbers and
// timestamps, the compressions the kernel accepts, an atomic file writer and a lister.
package archive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
)

// Builder collects the records of one archive. Records are keyed by their cleaned path; the
// output is sorted by path, so the order of the Add calls does not matter. Every parent
// directory gets a record of its own (mode 0755 unless AddDir set another mode), never an
// implicit one. The zero value is not usable: call New.
type Builder struct {
	epoch   int64
	entries map[string]*entry
}

type entry struct {
	name     string
	mode     uint32 // type and permission bits
	data     []byte // regular file contents or symlink target
	hostPath string // regular file contents read at write time
	size     int64
	rmajor   uint32
	rminor   uint32
	packed   bool                   // contents compressed already: see AddPackedFileFunc
	pending  func() ([]byte, error) // contents still being made: see AddPackedFileFunc
}

// New returns an empty builder whose records all get mtime epoch (see SourceDateEpoch).
func New(epoch int64) *Builder {
	return &Builder{epoch: epoch, entries: map[string]*entry{}}
}

// Epoch returns the mtime the records get.
func (b *Builder) Epoch() int64 { return b.epoch }

// Len returns the number of records, the root directory and the trailer not counted.
func (b *Builder) Len() int { return len(b.entries) }

// Has reports whether name (in any spelling CleanName accepts) is in the archive.
func (b *Builder) Has(name string) bool {
	n, err := CleanName(name)
	if err != nil {
		return false
	}
	_, ok := b.entries[n]
	return ok
}

// Names returns the cleaned names of all records, sorted.
func (b *Builder) Names() []string {
	names := make([]string, 0, len(b.entries))
	for n := range b.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// AddFile adds a regular file with the given contents and permission bits.
func (b *Builder) AddFile(name string, data []byte, mode fs.FileMode) error {
	return b.add("add file", name, mode, func(e *entry) {
		e.mode |= TypeRegular
		e.data = data
		e.size = int64(len(data))
	})
}

// AddPackedFileFunc adds a regular file whose contents are compressed already, such as a module
// packed with zstd, and may still be being made by other goroutines. When the image is
// compressed, WriteFile puts these files into a leading uncompressed archive instead of
// compressing them a second time (see split); it calls contents, which may block, when it
// writes the file, and compresses the rest of the image meanwhile. contents is called once.
func (b *Builder) AddPackedFileFunc(name string, mode fs.FileMode, contents func() ([]byte, error)) error {
	if contents == nil {
		return fmt.Errorf("add file %q: no contents", name)
	}
	return b.add("add file", name, mode, func(e *entry) {
		e.mode |= TypeRegular
		e.packed = true
		e.pending = contents
	})
}

// AddFileFromHost adds a regular file whose contents are read from hostPath when the archive is
// written. The size is taken now; a file that changes size before the write is an error then.
func (b *Builder) AddFileFromHost(name, hostPath string, mode fs.FileMode) error {
	fi, err := os.Stat(hostPath)
	if err != nil {
		return fmt.Errorf("add file %q: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("add file %q: %q is not a regular file", name, hostPath)
	}
	if fi.Size() > maxFileSize {
		return fmt.Errorf("add file %q: %q has %d bytes, more than a newc record holds (%d)", name, hostPath, fi.Size(), int64(maxFileSize))
	}
	return b.add("add file", name, mode, func(e *entry) {
		e.mode |= TypeRegular
		e.hostPath = hostPath
		e.size = fi.Size()
	})
}

// AddSymlink adds a symbolic link name pointing to target (mode 0777, as on Linux).
func (b *Builder) AddSymlink(name, target string) error {
	if target == "" {
		return fmt.Errorf("add symlink %q: empty target", name)
	}
	return b.add("add symlink", name, 0o777, func(e *entry) {
		e.mode |= TypeSymlink
		e.data = []byte(target)
		e.size = int64(len(target))
	})
}

// AddCharDev adds a character device node.
func (b *Builder) AddCharDev(name string, mode fs.FileMode, major, minor uint32) error {
	return b.add("add char device", name, mode, func(e *entry) {
		e.mode |= TypeChar
		e.rmajor, e.rminor = major, minor
	})
}

// AddDir adds a directory with the given permission bits. Adding a directory that exists
// already (named before or created as a parent) sets its mode.
func (b *Builder) AddDir(name string, mode fs.FileMode) error {
	n, err := CleanName(name)
	if err != nil {
		return fmt.Errorf("add dir %q: %w", name, err)
	}
	perm, err := permBits(mode)
	if err != nil {
		return fmt.Errorf("add dir %q: %w", name, err)
	}
	if e, ok := b.entries[n]; ok {
		if e.mode&TypeMask != TypeDir {
			return fmt.Errorf("add dir %q: already in the archive as %s", name, typeName(e.mode))
		}
		e.mode = TypeDir | perm
		return nil
	}
	if err := b.parents(n); err != nil {
		return fmt.Errorf("add dir %q: %w", name, err)
	}
	b.entries[n] = &entry{name: n, mode: TypeDir | perm}
	return nil
}

// add checks the name and mode, creates the parents and stores the entry fill completes.
func (b *Builder) add(op, name string, mode fs.FileMode, fill func(*entry)) error {
	n, err := CleanName(name)
	if err != nil {
		return fmt.Errorf("%s %q: %w", op, name, err)
	}
	perm, err := permBits(mode)
	if err != nil {
		return fmt.Errorf("%s %q: %w", op, name, err)
	}
	if e, ok := b.entries[n]; ok {
		return fmt.Errorf("%s %q: already in the archive as %s", op, name, typeName(e.mode))
	}
	if err := b.parents(n); err != nil {
		return fmt.Errorf("%s %q: %w", op, name, err)
	}
	e := &entry{name: n, mode: perm}
	fill(e)
	if e.size > maxFileSize {
		return fmt.Errorf("%s %q: %d bytes is more than a newc record holds (%d)", op, name, e.size, int64(maxFileSize))
	}
	b.entries[n] = e
	return nil
}

// parents makes sure every ancestor of the cleaned name n is a directory record, creating the
// missing ones with mode 0755.
func (b *Builder) parents(n string) error {
	var missing []string
	for p := parentOf(n); p != ""; p = parentOf(p) {
		e, ok := b.entries[p]
		if ok {
			if e.mode&TypeMask != TypeDir {
				return fmt.Errorf("parent %q is a %s, not a directory", p, typeName(e.mode))
			}
			break
		}
		missing = append(missing, p)
	}
	for _, p := range missing {
		b.entries[p] = &entry{name: p, mode: TypeDir | 0o755}
	}
	return nil
}

func typeName(mode uint32) string {
	switch mode & TypeMask {
	case TypeDir:
		return "directory"
	case TypeSymlink:
		return "symlink"
	case TypeChar:
		return "char device"
	case TypeBlock:
		return "block device"
	case TypeRegular:
		return "file"
	case TypeFIFO:
		return "fifo"
	case TypeSocket:
		return "socket"
	}
	return fmt.Sprintf("mode %#o", mode)
}

// maxFileSize is the largest size a newc header's 32-bit field holds.
const maxFileSize = 1<<32 - 1

var errChanged = errors.New("file changed size since it was added")
