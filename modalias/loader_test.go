package modalias

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeKernel stands in for finit_module: it records the modules inserted, in order, with
// their parameters and flags, and fails the ones told to.
type fakeKernel struct {
	mu     sync.Mutex
	calls  []string          // module names in insertion order
	params map[string]string // module -> params string
	flags  map[string]int
	fail   map[string]error
	delay  time.Duration
	onLoad func(name string) // runs after a successful insertion
}

func newFakeKernel() *fakeKernel {
	return &fakeKernel{params: map[string]string{}, flags: map[string]int{}, fail: map[string]error{}}
}

func (k *fakeKernel) finit(fd int, params string, flags int) error {
	path, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
	if err != nil {
		return err
	}
	name := ModuleName(path)
	time.Sleep(k.delay)
	k.mu.Lock()
	k.calls = append(k.calls, name)
	k.params[name] = params
	k.flags[name] = flags
	err = k.fail[name]
	k.mu.Unlock()
	if err == nil && k.onLoad != nil {
		k.onLoad(name)
	}
	return err
}

// initMod stands in for init_module: the fake image is ELF magic + "fake <name>"; flags
// records -1 for a module inserted from memory.
func (k *fakeKernel) initMod(image []byte, params string) error {
	name, ok := strings.CutPrefix(string(image), elf.ELFMAG+"fake ")
	if !ok {
		return fmt.Errorf("fake init_module: unexpected image %q", image)
	}
	time.Sleep(k.delay)
	k.mu.Lock()
	k.calls = append(k.calls, name)
	k.params[name] = params
	k.flags[name] = -1
	err := k.fail[name]
	k.mu.Unlock()
	if err == nil && k.onLoad != nil {
		k.onLoad(name)
	}
	return err
}

func (k *fakeKernel) Calls() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.calls...)
}

// logBuf collects Logf output.
type logBuf struct {
	mu    sync.Mutex
	lines []string
}

func (b *logBuf) logf(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, fmt.Sprintf(format, args...))
}

func (b *logBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.lines, "\n")
}

func newTestLoader(t *testing.T, dir string, k *fakeKernel) (*Loader, *logBuf) {
	t.Helper()
	ix, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var log logBuf
	l := NewLoader(ix, nil, log.logf)
	l.finit = k.finit
	l.initMod = k.initMod
	l.sysModule = t.TempDir()
	return l, &log
}

func TestLoaderOrder(t *testing.T) {
	k := newFakeKernel()
	l, _ := newTestLoader(t, fixtureDir(t), k)
	loaded, err := l.Load(context.Background(), "ext4")
	if err != nil {
		t.Fatal(err)
	}
	// softdep pre (both crc32c providers, via jbd2 and ext4), then the dependencies in
	// reverse modules.dep order, then ext4 -- the order kmod's modprobe uses too.
	want := []string{"crc32c_intel", "crc32c_generic", "jbd2", "mbcache", "crc16", "ext4"}
	if got := k.Calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("insertions = %q, want %q", got, want)
	}
	if !reflect.DeepEqual(loaded, want) {
		t.Errorf("Load returned %q, want %q", loaded, want)
	}
	// Again: nothing more to do.
	loaded, err = l.Load(context.Background(), "ext4")
	if err != nil || loaded != nil || len(k.Calls()) != len(want) {
		t.Errorf("second Load = %q, %v; %d insertions", loaded, err, len(k.Calls()))
	}
}

func TestLoaderSoftdepPostAndFlags(t *testing.T) {
	k := newFakeKernel()
	l, log := newTestLoader(t, fixtureDir(t), k)
	if _, err := l.Load(context.Background(), "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00"); err != nil {
		t.Fatal(err)
	}
	if got, want := k.Calls(), []string{"e1000", "failover"}; !reflect.DeepEqual(got, want) {
		t.Errorf("insertions = %q, want %q", got, want)
	}
	if k.flags["e1000"] != -1 || k.flags["failover"] != 0 {
		t.Errorf("flags = %v, want init_module (-1) for e1000.ko.zst and finit_module for failover.ko", k.flags)
	}
	if want := "modalias: loaded e1000 in "; !strings.Contains(log.String(), want) || !strings.Contains(log.String(), "(unpacked 0 KiB in ") {
		t.Errorf("log lacks %q with the unpacked size:\n%s", want, log)
	}
	if want := "modalias: softdep pre nothing-matches of e1000: no module in the image"; !strings.Contains(log.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, log)
	}
}

func TestLoaderSoftdepFailureIsNotFatal(t *testing.T) {
	k := newFakeKernel()
	k.fail["crc32c_intel"] = syscall.ENODEV
	dir := fixtureDir(t)
	l, log := newTestLoader(t, dir, k)
	loaded, err := l.Load(context.Background(), "ext4")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"crc32c_generic", "jbd2", "mbcache", "crc16", "ext4"}; !reflect.DeepEqual(loaded, want) {
		t.Errorf("loaded = %q, want %q", loaded, want)
	}
	want := "modalias: softdep pre crypto-crc32c of ext4: load module crc32c_intel (" + dir + "/kernel/arch/x86/crypto/crc32c-intel.ko): no such device (continuing)"
	if !strings.Contains(log.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, log)
	}
	// Reported once, although jbd2 wants it too.
	if n := strings.Count(log.String(), "load module crc32c_intel"); n != 1 {
		t.Errorf("crc32c_intel failure logged %d times, want once:\n%s", n, log)
	}
	// The failed insertion is not retried.
	if n := strings.Count(strings.Join(k.Calls(), " "), "crc32c_intel"); n != 1 {
		t.Errorf("crc32c_intel inserted %d times, want 1", n)
	}
	// Asked for directly, the alias still succeeds through crc32c_generic.
	if _, err := l.Load(context.Background(), "crypto-crc32c"); err != nil {
		t.Errorf("Load(crypto-crc32c) = %v, want success through crc32c_generic", err)
	}
}

func TestLoaderErrors(t *testing.T) {
	dir := fixtureDir(t)
	tests := []struct {
		name  string
		alias string
		fail  map[string]error
		want  string
	}{
		{"no match", "pci:v0000FFFFd0000FFFF", nil, `no module for "pci:v0000FFFFd0000FFFF" in the image`},
		{"insert fails", "e1000", map[string]error{"e1000": syscall.ENOEXEC},
			"load module e1000 (DIR/kernel/drivers/net/ethernet/intel/e1000/e1000.ko.zst): exec format error"},
		{"dependency fails", "ext4", map[string]error{"jbd2": syscall.EINVAL},
			"load module ext4: load module jbd2 (DIR/kernel/fs/jbd2/jbd2.ko): invalid argument"},
		{"all matches fail", "crc32c", map[string]error{"crc32c_intel": syscall.ENODEV, "crc32c_generic": syscall.ENOMEM},
			"load module crc32c_intel (DIR/kernel/arch/x86/crypto/crc32c-intel.ko): no such device\n" +
				"load module crc32c_generic (DIR/kernel/crypto/crc32c_generic.ko): cannot allocate memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newFakeKernel()
			for m, e := range tt.fail {
				k.fail[m] = e
			}
			l, _ := newTestLoader(t, dir, k)
			_, err := l.Load(context.Background(), tt.alias)
			if want := replaceDir(tt.want, dir); err == nil || err.Error() != want {
				t.Errorf("error = %v\nwant %s", err, want)
			}
			var missing *NotInImageError
			if got, want := errors.As(err, &missing), tt.fail == nil; got != want {
				t.Errorf("error %v is a *NotInImageError: %v, want %v (only when nothing matched)", err, got, want)
			}
		})
	}
}

func TestLoaderMissingFile(t *testing.T) {
	dir := fixtureDir(t)
	if err := os.Remove(filepath.Join(dir, "kernel/drivers/scsi/sd_mod.ko")); err != nil {
		t.Fatal(err)
	}
	l, _ := newTestLoader(t, dir, newFakeKernel())
	_, err := l.Load(context.Background(), "sd_mod")
	if want := "load module sd_mod (" + dir + "/kernel/drivers/scsi/sd_mod.ko): no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	if !errors.Is(err, syscall.ENOENT) {
		t.Errorf("error %v does not wrap ENOENT", err)
	}
}

func TestLoaderEEXISTAndLive(t *testing.T) {
	k := newFakeKernel()
	k.fail["jbd2"] = syscall.EEXIST // loaded behind our back
	l, _ := newTestLoader(t, fixtureDir(t), k)
	// mbcache is live according to sysfs: not even tried.
	if err := os.MkdirAll(filepath.Join(l.sysModule, "mbcache"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(l.sysModule, "mbcache", "initstate"), []byte("live\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// crc16 is still coming up: finit_module is the one to wait for it.
	if err := os.MkdirAll(filepath.Join(l.sysModule, "crc16"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(l.sysModule, "crc16", "initstate"), []byte("coming\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	loaded, err := l.Load(context.Background(), "ext4")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"crc32c_intel", "crc32c_generic", "crc16", "ext4"}; !reflect.DeepEqual(loaded, want) {
		t.Errorf("loaded = %q, want %q", loaded, want)
	}
	if got := k.Calls(); contains(got, "mbcache") || !contains(got, "jbd2") {
		t.Errorf("insertions = %q: want jbd2 tried (EEXIST) and mbcache skipped", got)
	}
}

func TestLoaderBuiltin(t *testing.T) {
	k := newFakeKernel()
	l, _ := newTestLoader(t, fixtureDir(t), k)
	loaded, err := l.Load(context.Background(), "nfs-acl")
	if err != nil || loaded != nil || len(k.Calls()) != 0 {
		t.Errorf("Load(builtin) = %q, %v with insertions %q; want nothing done", loaded, err, k.Calls())
	}
}

func TestLoaderParams(t *testing.T) {
	k := newFakeKernel()
	l, _ := newTestLoader(t, fixtureDir(t), k)
	l.Params = map[string][]string{
		"e1000":        {"TxDescriptors=256", "copybreak=0"},
		"crc32c-intel": {`label=a b`, `q="x y"`, "flag"},
		"ext4":         {"x=1"},
	}
	if _, err := l.Load(context.Background(), "e1000"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Load(context.Background(), "crc32c-intel"); err != nil {
		t.Fatal(err)
	}
	if got := k.params["e1000"]; got != "TxDescriptors=256 copybreak=0" {
		t.Errorf("e1000 params = %q", got)
	}
	if got := k.params["crc32c_intel"]; got != `label="a b" q="x y" flag` {
		t.Errorf("crc32c_intel params = %q", got)
	}
	if got := k.params["failover"]; got != "" {
		t.Errorf("failover params = %q", got)
	}
}

func TestLoaderSingleflight(t *testing.T) {
	k := newFakeKernel()
	k.delay = 20 * time.Millisecond
	l, _ := newTestLoader(t, fixtureDir(t), k)
	const callers = 16
	var wg sync.WaitGroup
	results := make([][]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			alias := "virtio_net"
			if i%2 == 1 {
				alias = "virtio:d00000001v00001AF4"
			}
			results[i], errs[i] = l.Load(context.Background(), alias)
		}()
	}
	wg.Wait()
	var all []string
	for i := range callers {
		if errs[i] != nil {
			t.Errorf("caller %d: %v", i, errs[i])
		}
		all = append(all, results[i]...)
	}
	want := []string{"failover", "net_failover", "virtio", "virtio_net", "virtio_ring"}
	calls := k.Calls()
	if !sameSet(calls, want) {
		t.Errorf("insertions = %q, want each of %q once", calls, want)
	}
	if !sameSet(all, want) {
		t.Errorf("callers together report %q, want each of %q once", all, want)
	}
	// Every caller returns only after virtio_net is in.
	for i := range callers {
		if errs[i] == nil && len(k.Calls()) != len(want) {
			t.Errorf("caller %d returned early", i)
		}
	}
}

func TestLoaderSharedFailure(t *testing.T) {
	k := newFakeKernel()
	k.delay = 20 * time.Millisecond
	k.fail["sd_mod"] = syscall.EIO
	l, _ := newTestLoader(t, fixtureDir(t), k)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = l.Load(context.Background(), "scsi:t-0x00")
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, syscall.EIO) {
			t.Errorf("caller %d: %v, want the shared EIO", i, err)
		}
	}
	if got := k.Calls(); !reflect.DeepEqual(got, []string{"sd_mod"}) {
		t.Errorf("insertions = %q, want one sd_mod", got)
	}
}

func TestLoaderCycles(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"modules.dep":     "a.ko: b.ko\nb.ko: a.ko\nc.ko:\nd.ko:\n",
		"modules.softdep": "softdep c pre: d\nsoftdep d pre: c\n",
		"a.ko":            "", "b.ko": "", "c.ko": "", "d.ko": "",
	})
	k := newFakeKernel()
	l, _ := newTestLoader(t, dir, k)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.Load(ctx, "a"); err != nil {
		t.Error(err)
	}
	if _, err := l.Load(ctx, "c"); err != nil {
		t.Error(err)
	}
	if got, want := k.Calls(), []string{"b", "a", "d", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("insertions = %q, want %q", got, want)
	}
}

func TestLoaderCancelled(t *testing.T) {
	l, _ := newTestLoader(t, fixtureDir(t), newFakeKernel())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Load(ctx, "ext4"); !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

// TestLoaderRealOrder loads every real module with a fake kernel and checks that each
// insertion comes after its dependencies and its resolvable soft "pre" dependencies.
func TestLoaderRealOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	ix := realIndex(t)
	for _, name := range ix.Names() {
		k := newFakeKernel()
		l := NewLoader(ix, nil, nil)
		l.finit = k.finit
		l.sysModule = t.TempDir()
		if _, err := l.Load(context.Background(), name); err != nil {
			t.Fatalf("Load(%s): %v", name, err)
		}
		calls := k.Calls()
		pos := map[string]int{}
		for i, c := range calls {
			pos[c] = i
		}
		for i, c := range calls {
			m, _ := ix.Module(c)
			for _, d := range m.Deps {
				if p, ok := pos[d]; !ok || p > i {
					t.Fatalf("Load(%s): %s inserted before its dependency %s: %q", name, c, d, calls)
				}
			}
		}
		pre, _ := ix.SoftDeps(name)
		for _, s := range pre {
			for _, r := range ix.Lookup(s) {
				if p, ok := pos[r]; ok && p > pos[name] {
					t.Fatalf("Load(%s): softdep %s inserted after it: %q", name, r, calls)
				}
			}
		}
		if calls[len(calls)-1] != name && len(ix.softdeps[name].postOrNil()) == 0 {
			t.Fatalf("Load(%s): last insertion %s: %q", name, calls[len(calls)-1], calls)
		}
	}
}

func (sd *softdep) postOrNil() []string {
	if sd == nil {
		return nil
	}
	return sd.post
}
