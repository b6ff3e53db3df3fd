package netroot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goinit/goinit/internal/fsprobe"
	"github.com/goinit/goinit/internal/hint"
)

// Env is what attachers need from the boot sequence.
type Env struct {
	// SysRoot and DevRoot prefix /sys and /dev (tests point them at a temp dir).
	SysRoot, DevRoot string
	// DevChanged returns a channel that is closed at the next device event (uevent).
	DevChanged func() <-chan struct{}
	// LoadModule loads a kernel module (with its cmdline parameters) from the image.
	LoadModule func(ctx context.Context, name string) error
	// Network returns the configured network (leases), nil before or without it.
	Network func() *NetState
	// Logf prints a progress line on the console.
	Logf func(format string, args ...any)
}

func (e Env) sys(p string) string { return filepath.Join(e.SysRoot, "/sys", p) }
func (e Env) dev(p string) string { return filepath.Join(e.DevRoot, "/dev", p) }

func (e Env) logf(format string, args ...any) {
	if e.Logf != nil {
		e.Logf(format, args...)
	}
}

// waitChange blocks until a device event, the safety-net period, or ctx's end.
func (e Env) waitChange(ctx context.Context, period time.Duration) {
	var ch <-chan struct{}
	if e.DevChanged != nil {
		ch = e.DevChanged()
	}
	t := time.NewTimer(period)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
	}
}

// BlockDev is one block device as the kernel lists it in /sys/class/block.
type BlockDev struct {
	Name      string // vda1
	Size      int64  // bytes
	PartUUID  string
	PartLabel string
	FS        *fsprobe.FS // nil when unknown or not probed
	ProbeErr  error
}

// Describe renders the device for a "devices seen" list.
func (d BlockDev) Describe() string {
	s := fmt.Sprintf("%s (%s", d.Name, humanSize(d.Size))
	if d.FS != nil {
		s += " " + d.FS.Type
		if d.FS.Label != "" {
			s += fmt.Sprintf(" LABEL=%q", d.FS.Label)
		}
		if d.FS.UUID != "" {
			s += " UUID=" + d.FS.UUID
		}
	}
	if d.PartUUID != "" {
		s += " PARTUUID=" + d.PartUUID
	}
	if d.PartLabel != "" {
		s += fmt.Sprintf(" PARTLABEL=%q", d.PartLabel)
	}
	return s + ")"
}

func humanSize(b int64) string {
	switch {
	case b == 0:
		return "empty"
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	default:
		return fmt.Sprintf("%d KiB", b>>10)
	}
}

// RootSpec is a parsed local root= value.
type RootSpec struct {
	Key   string // "" for a device path, else UUID, LABEL, PARTUUID, PARTLABEL
	Value string // the device name (vda1) for a path, else the value to match
	Raw   string
}

// byDir maps the udev /dev/disk/by-* directories, which do not exist in the initramfs, to keys.
var byDir = map[string]string{"by-uuid": "UUID", "by-label": "LABEL", "by-partuuid": "PARTUUID", "by-partlabel": "PARTLABEL"}

// ParseRootSpec parses the local forms of root=.
func ParseRootSpec(v string) (RootSpec, error) {
	expected := "/dev/<name>, UUID=<uuid>, LABEL=<label>, PARTUUID=<uuid> or PARTLABEL=<label>"
	bad := func() (RootSpec, error) {
		return RootSpec{}, fmt.Errorf("cmdline: root=%q: expected %s", v, expected)
	}
	for _, k := range []string{"UUID", "LABEL", "PARTUUID", "PARTLABEL"} {
		if rest, ok := strings.CutPrefix(v, k+"="); ok {
			if rest == "" {
				return bad()
			}
			return RootSpec{Key: k, Value: rest, Raw: v}, nil
		}
	}
	if rest, ok := strings.CutPrefix(v, "/dev/disk/"); ok {
		dir, val, ok := strings.Cut(rest, "/")
		if k, known := byDir[dir]; known && ok && val != "" {
			return RootSpec{Key: k, Value: unescapeUdev(val), Raw: v}, nil
		}
		return bad()
	}
	if rest, ok := strings.CutPrefix(v, "/dev/"); ok && rest != "" && !strings.Contains(rest, "..") {
		return RootSpec{Value: rest, Raw: v}, nil
	}
	return bad()
}

// unescapeUdev undoes udev's \x20-style escaping in by-label names.
func unescapeUdev(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			if n, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Matches reports whether dev is the device the spec names.
func (r RootSpec) Matches(d BlockDev) bool {
	switch r.Key {
	case "":
		return d.Name == r.Value
	case "UUID":
		return d.FS != nil && d.FS.UUID != "" && strings.EqualFold(d.FS.UUID, r.Value)
	case "LABEL":
		return d.FS != nil && d.FS.Label == r.Value
	case "PARTUUID":
		return d.PartUUID != "" && strings.EqualFold(d.PartUUID, r.Value)
	case "PARTLABEL":
		return d.PartLabel == r.Value
	}
	return false
}

// needsProbe tells whether matching needs the filesystem superblock.
func (r RootSpec) needsProbe() bool { return r.Key != "" }

// Block waits for a local block device and hands it over for mounting.
type Block struct {
	Spec  RootSpec
	Env   Env
	cache map[string]BlockDev // name -> probed device, keyed with its size
}

// NewBlock returns the attacher for a local root.
func NewBlock(spec RootSpec, env Env) *Block {
	return &Block{Spec: spec, Env: env, cache: map[string]BlockDev{}}
}

func (b *Block) String() string { return "block " + b.Spec.Raw }

// Scan lists the block devices now present; probe reads superblocks (cached per device and size).
func (b *Block) Scan(probe bool) []BlockDev {
	ents, _ := os.ReadDir(b.Env.sys("class/block"))
	var out []BlockDev
	for _, e := range ents {
		out = append(out, b.device(e.Name(), probe))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (b *Block) device(name string, probe bool) BlockDev {
	d := BlockDev{Name: name}
	dir := b.Env.sys("class/block/" + name)
	if s, err := os.ReadFile(filepath.Join(dir, "size")); err == nil {
		n, _ := strconv.ParseInt(strings.TrimSpace(string(s)), 10, 64)
		d.Size = n * 512
	}
	key := name + "/" + strconv.FormatInt(d.Size, 10)
	if c, ok := b.cache[key]; ok && probe {
		return c
	}
	if u, err := os.ReadFile(filepath.Join(dir, "uevent")); err == nil {
		d.PartUUID, d.PartLabel = fsprobe.FromUevent(string(u))
		if n, ok := fsprobe.UeventPartN(string(u)); ok && (d.PartUUID == "" || probe) {
			// Older kernels (6.1) put no PARTUUID in the uevent and cut PARTNAME to ASCII:
			// read the parent disk's partition table instead.
			if p, ok := b.partition(dir, n); ok {
				d.PartUUID, d.PartLabel = p.PartUUID, p.PartLabel
			}
		}
	}
	if !probe || d.Size == 0 {
		return d
	}
	f, err := os.Open(b.Env.dev(name))
	if err != nil {
		d.ProbeErr = err
		return d // the node may not exist yet; do not cache
	}
	d.FS, d.ProbeErr = fsprobe.Probe(f, d.Size)
	f.Close()
	b.cache[key] = d
	return d
}

// partition reads entry n of the partition table of the disk that holds the partition whose
// sysfs directory is dir.
func (b *Block) partition(dir string, n int) (fsprobe.Partition, bool) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fsprobe.Partition{}, false
	}
	disk := filepath.Base(filepath.Dir(real))
	f, err := os.Open(b.Env.dev(disk))
	if err != nil {
		return fsprobe.Partition{}, false
	}
	defer f.Close()
	size, _ := f.Seek(0, 2)
	parts, err := fsprobe.Partitions(f, size, 0)
	if err != nil {
		return fsprobe.Partition{}, false
	}
	for _, p := range parts {
		if p.Number == n {
			return p, true
		}
	}
	return fsprobe.Partition{}, false
}

// find returns the matching device, if present now.
func (b *Block) find() (BlockDev, bool) {
	if b.Spec.Key == "" {
		if _, err := os.Stat(b.Env.sys("class/block/" + b.Spec.Value)); err != nil {
			return BlockDev{}, false
		}
		d := b.device(b.Spec.Value, true)
		if _, err := os.Stat(b.Env.dev(b.Spec.Value)); err != nil {
			return BlockDev{}, false
		}
		return d, d.Size > 0
	}
	for _, d := range b.Scan(b.Spec.needsProbe()) {
		if b.Spec.Matches(d) {
			return d, true
		}
	}
	return BlockDev{}, false
}

// Attach waits for the device until ctx's deadline.
func (b *Block) Attach(ctx context.Context) (Mount, error) {
	start := time.Now()
	announced := false
	lastNote := start
	for {
		if d, ok := b.find(); ok {
			m := Mount{Source: "/dev/" + d.Name}
			if d.FS != nil {
				m.FSType = d.FS.Type
			}
			return m, nil
		}
		if ctx.Err() != nil {
			return Mount{}, b.notFound(ctx, time.Since(start))
		}
		if !announced {
			b.Env.logf("waiting for root device %s%s", b.Spec.Raw, deadlineNote(ctx))
			announced = true
		} else if time.Since(lastNote) >= 10*time.Second {
			b.Env.logf("still waiting for %s after %s%s", b.Spec.Raw, time.Since(start).Round(time.Second), deadlineNote(ctx))
			lastNote = time.Now()
		}
		b.Env.waitChange(ctx, time.Second)
	}
}

func deadlineNote(ctx context.Context) string {
	if dl, ok := ctx.Deadline(); ok {
		return fmt.Sprintf(" (%s left)", time.Until(dl).Round(time.Second))
	}
	return ""
}

func (b *Block) notFound(ctx context.Context, waited time.Duration) error {
	err := fmt.Errorf("attach %s: no block device %s appeared within %s", b, b.Spec.Raw, waited.Round(time.Second))
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("attach %s: %w", b, ctx.Err())
	}
	var seen []string
	for _, d := range b.Scan(true) {
		if d.Size == 0 && !strings.HasPrefix(d.Name, "sd") && !strings.HasPrefix(d.Name, "vd") && !strings.HasPrefix(d.Name, "nvme") {
			continue // empty loop and ram devices say nothing
		}
		seen = append(seen, "  "+d.Describe())
	}
	h := "block devices seen: none (is the disk controller's driver in the image? see the coldplug lines above)"
	if len(seen) > 0 {
		h = "block devices seen:\n" + strings.Join(seen, "\n")
	}
	return hint.Wrap(err, h)
}
