package build

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goinit/goinit/internal/archive"
	"github.com/klauspost/compress/zstd"
)

// installedKernel returns the newest kernel with a module index under /lib/modules, or skips.
func installedKernel(t *testing.T) string {
	t.Helper()
	vs := kernelDirs("/lib/modules")
	for i := len(vs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join("/lib/modules", vs[i], "modules.dep")); err == nil {
			if _, err := os.Stat(filepath.Join("/lib/modules", vs[i], "kernel")); err == nil {
				return vs[i]
			}
		}
	}
	t.Skip("no kernel modules installed under /lib/modules (apt-get install linux-image-amd64)")
	return ""
}

// staticBusybox returns a static busybox or "none".
func staticBusybox() string {
	if interp, err := elfInterpreter("/bin/busybox"); err == nil && interp == "" {
		return "/bin/busybox"
	}
	return BusyboxNone
}

func TestBuildRealImage(t *testing.T) {
	kver := installedKernel(t)
	init := staticInit(t)
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	fwDir := t.TempDir()
	os.MkdirAll(filepath.Join(fwDir, "tigon"), 0o755)
	os.WriteFile(filepath.Join(fwDir, "tigon/tg3.bin"), []byte("tg3 firmware"), 0o644)
	var xzbuf bytes.Buffer
	w, _ := archive.NewWriter(&xzbuf, archive.XZ)
	w.Write([]byte("tso firmware"))
	w.Close()
	os.WriteFile(filepath.Join(fwDir, "tigon/tg3_tso.bin.xz"), xzbuf.Bytes(), 0o644)

	dir := t.TempDir()
	bb := staticBusybox()
	var log bytes.Buffer
	cfg := Config{
		KernelVersion: kver, GoinitPath: init, BusyboxPath: bb, FirmwareDir: fwDir,
		NICs: NICsGeneric, Log: &log, Verbose: true,
	}
	var sums [2]*Summary
	var images [2][]byte
	for i := range sums {
		cfg.Output = filepath.Join(dir, "initrd"+string(rune('0'+i)))
		sum, err := Build(cfg)
		if err != nil {
			t.Fatal(err)
		}
		sums[i] = sum
		images[i], _ = os.ReadFile(cfg.Output)
	}
	if !bytes.Equal(images[0], images[1]) {
		t.Fatal("two builds from the same inputs differ")
	}
	sum := sums[0]
	t.Logf("%s", sum)
	if !strings.Contains(log.String(), "module virtio_net\n") || !strings.Contains(log.String(), sum.String()) {
		t.Errorf("verbose log lacks the module list or the summary:\n%s", log.String())
	}

	im, err := archive.ReadFile(filepath.Join(dir, "initrd0"))
	if err != nil {
		t.Fatal(err)
	}
	// The packed modules come first, uncompressed; the rest follows compressed.
	if len(im.Segments) != 2 || im.Segments[0] != archive.None || im.Segments[1] != archive.Zstd {
		t.Errorf("segments %v, want [none zstd]", im.Segments)
	}
	names := map[string]bool{}
	for _, e := range im.Entries {
		names[e.Name] = true
		if strings.HasSuffix(e.Name, ".ko") {
			t.Errorf("%s is not packed", e.Name)
		}
	}
	if len(names) != sum.Files+1 {
		t.Errorf("%d distinct names, summary says %d files (+ the root)", len(names), sum.Files)
	}
	initData, _ := os.ReadFile(init)
	expect := []struct {
		name   string
		mode   uint32
		target string
	}{
		{".", archive.TypeDir | 0o755, ""},
		{"init", archive.TypeRegular | 0o755, ""},
		{"lib/goinit/modprobe", archive.TypeSymlink | 0o777, "/init"},
		{"proc", archive.TypeDir | 0o555, ""},
		{"sys", archive.TypeDir | 0o555, ""},
		{"dev", archive.TypeDir | 0o755, ""},
		{"run", archive.TypeDir | 0o755, ""},
		{"newroot", archive.TypeDir | 0o755, ""},
		{"tmp", archive.TypeDir | 0o1777, ""},
		{"root", archive.TypeDir | 0o700, ""},
		{"etc/goinit", archive.TypeDir | 0o755, ""},
		{"lib/firmware", archive.TypeDir | 0o755, ""},
		{"dev/console", archive.TypeChar | 0o600, ""},
		{"dev/null", archive.TypeChar | 0o666, ""},
		{"etc/goinit/image.json", archive.TypeRegular | 0o644, ""},
		{"lib/firmware/tigon/tg3.bin", archive.TypeRegular | 0o644, ""},
		{"lib/firmware/tigon/tg3_tso.bin", archive.TypeRegular | 0o644, ""},
	}
	for _, x := range expect {
		e, ok := im.Lookup(x.name)
		if !ok || e.Mode != x.mode || e.Target != x.target {
			t.Errorf("%s: mode %#o target %q (found %v), want %#o %q", x.name, e.Mode, e.Target, ok, x.mode, x.target)
		}
	}
	if e, _ := im.Lookup("init"); !bytes.Equal(e.Data, initData) {
		t.Error("/init is not the given goinit")
	}
	if e, _ := im.Lookup("dev/console"); e.Rmajor != 5 || e.Rminor != 1 {
		t.Errorf("dev/console is %d,%d, want 5,1", e.Rmajor, e.Rminor)
	}
	if e, _ := im.Lookup("dev/null"); e.Rmajor != 1 || e.Rminor != 3 {
		t.Errorf("dev/null is %d,%d, want 1,3", e.Rmajor, e.Rminor)
	}
	if e, _ := im.Lookup("lib/firmware/tigon/tg3_tso.bin"); string(e.Data) != "tso firmware" {
		t.Errorf("tg3_tso.bin holds %q, want the decompressed firmware", e.Data)
	}
	for _, e := range im.Entries {
		if e.MTime != 1700000000 || e.UID != 0 || e.GID != 0 {
			t.Errorf("%s: mtime %d uid %d gid %d, want 1700000000 0 0", e.Name, e.MTime, e.UID, e.GID)
		}
		if e.Mode&archive.TypeMask == archive.TypeDir && e.Mode&0o7777 == 0o777 {
			t.Errorf("%s: directory mode %#o", e.Name, e.Mode)
		}
	}

	// image.json
	var info ImageInfo
	e, _ := im.Lookup("etc/goinit/image.json")
	if err := json.Unmarshal(e.Data, &info); err != nil {
		t.Fatalf("image.json: %v: %s", err, e.Data)
	}
	h := sha256.Sum256(initData)
	want := ImageInfo{Kernel: kver, GoinitSHA256: hex.EncodeToString(h[:]), Modules: len(sum.Modules),
		Firmware: 2, Epoch: 1700000000, NICs: "generic", Busybox: bb != BusyboxNone}
	if info != want {
		t.Errorf("image.json = %+v, want %+v", info, want)
	}

	// modules: the groups, the NICs, zstd-packed ELF files (.ko.zst), and an index that names
	// only them.
	for _, m := range []string{"virtio_net", "virtio_pci", "ext4", "nfs", "nfsv4", "sunrpc", "aoe", "nbd", "iscsi_tcp", "overlay", "squashfs", "crc32c_generic", "tg3", "e1000"} {
		if !slices.Contains(sum.Modules, m) {
			t.Errorf("module %s not in the image", m)
		}
	}
	modDir := "lib/modules/" + kver + "/"
	dep, ok := im.Lookup(modDir + "modules.dep")
	if !ok {
		t.Fatal("no modules.dep")
	}
	for _, f := range []string{"modules.alias", "modules.softdep", "modules.builtin"} {
		if _, ok := im.Lookup(modDir + f); !ok {
			t.Errorf("no %s", f)
		}
	}
	lines := strings.Split(strings.TrimSpace(string(dep.Data)), "\n")
	if len(lines) != len(sum.Modules) {
		t.Errorf("modules.dep has %d lines, the image %d modules", len(lines), len(sum.Modules))
	}
	for _, l := range lines {
		for _, p := range strings.Fields(strings.Replace(l, ":", " ", 1)) {
			e, ok := im.Lookup(modDir + p)
			if !ok || !strings.HasSuffix(p, ".ko.zst") || e.Mode != archive.TypeRegular|0o644 {
				t.Errorf("modules.dep names %s: in image %v, mode %#o", p, ok, e.Mode)
				continue
			}
			elf, err := unpackModule(e.Data)
			if err != nil || !bytes.HasPrefix(elf, []byte("\x7fELF")) {
				t.Errorf("%s does not unpack to an ELF file: %v", p, err)
			}
		}
	}

	// busybox
	if bb != BusyboxNone {
		for _, a := range []string{"bin/sh", "sbin/modprobe"} {
			if e, ok := im.Lookup(a); !ok || e.Target != "/bin/busybox" {
				t.Errorf("%s -> %q (found %v), want /bin/busybox", a, e.Target, ok)
			}
		}
		if e, _ := im.Lookup("bin/busybox"); e.Mode != archive.TypeRegular|0o755 {
			t.Errorf("bin/busybox mode %#o", e.Mode)
		}
	}

	// GNU cpio agrees on the record list.
	if _, err := exec.LookPath("cpio"); err == nil {
		_, n, err := archive.ParseNewc(images[0])
		if err != nil {
			t.Fatal(err)
		}
		var rest bytes.Buffer
		r, _ := archive.NewReader(bytes.NewReader(bytes.TrimLeft(images[0][n:], "\x00")), archive.Zstd)
		rest.ReadFrom(r)
		listed := 0
		for _, part := range [][]byte{images[0][:n], rest.Bytes()} {
			cmd := exec.Command("cpio", "-t", "--quiet")
			cmd.Stdin = bytes.NewReader(part)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("cpio -t: %v", err)
			}
			listed += len(strings.Split(strings.TrimSpace(string(out)), "\n"))
		}
		if listed != len(im.Entries) {
			t.Errorf("cpio -t lists %d names, our reader %d", listed, len(im.Entries))
		}
	}
}

func TestBuildNICSelection(t *testing.T) {
	kver := installedKernel(t)
	init := staticInit(t)
	sys := t.TempDir()
	os.MkdirAll(filepath.Join(sys, "class/net/eth0/device"), 0o755)
	os.WriteFile(filepath.Join(sys, "class/net/eth0/device/modalias"), []byte("pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00\n"), 0o644)
	dir := t.TempDir()
	mods := map[string][]string{}
	for _, nics := range []string{NICsHost, NICsNone} {
		sum, err := Build(Config{
			Output: filepath.Join(dir, nics), KernelVersion: kver, GoinitPath: init, BusyboxPath: BusyboxNone,
			Compress: "none", NICs: nics, SysDir: sys, ExtraModules: []string{"nbd,  loop"}, Quiet: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		mods[nics] = sum.Modules
		if nics == NICsHost && sum.NICs != "host: eth0 -> e1000" {
			t.Errorf("NICs note %q", sum.NICs)
		}
	}
	if !slices.Contains(mods[NICsHost], "e1000") || slices.Contains(mods[NICsNone], "e1000") {
		t.Errorf("e1000 in host: %v, in none: %v; want only host", slices.Contains(mods[NICsHost], "e1000"), slices.Contains(mods[NICsNone], "e1000"))
	}
	for _, nics := range []string{NICsHost, NICsNone} {
		if slices.Contains(mods[nics], "tg3") {
			t.Errorf("--nics %s took tg3, which no device here needs", nics)
		}
		if !slices.Contains(mods[nics], "virtio_net") || !slices.Contains(mods[nics], "nbd") {
			t.Errorf("--nics %s lost virtio_net (base group) or nbd", nics)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	kver := installedKernel(t)
	init := staticInit(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "initrd")
	lsInterp, _ := elfInterpreter("/bin/ls")
	tests := []struct {
		name string
		cfg  Config
		err  string
	}{
		{"missing kernel", Config{KernelVersion: "0.0.0-none", ModulesDir: "/lib/modules", GoinitPath: init},
			`find kernel -k "0.0.0-none": /lib/modules/0.0.0-none does not exist; ` + installed("/lib/modules")},
		{"unknown module", Config{KernelVersion: kver, GoinitPath: init, ExtraModules: []string{"e1000,no_such_module"}},
			`resolve --modules "no_such_module": module "no_such_module" not found in /lib/modules/` + kver + ` (not in modules.dep, modules.alias or modules.builtin)`},
		{"dynamic init", Config{KernelVersion: kver, GoinitPath: "/bin/ls"},
			`check --init "/bin/ls": dynamically linked (interpreter ` + lsInterp + `), but the image has no shared libraries: build goinit static with CGO_ENABLED=0 go build ./cmd/goinit`},
		{"dynamic busybox", Config{KernelVersion: kver, GoinitPath: init, BusyboxPath: "/bin/ls"},
			`check --busybox "/bin/ls": dynamically linked (interpreter ` + lsInterp + `), but the image has no shared libraries: give a static busybox (Debian: busybox-static), auto or none`},
		{"missing init", Config{KernelVersion: kver, GoinitPath: "/nonexistent/goinit"},
			`check --init "/nonexistent/goinit": open /nonexistent/goinit: no such file or directory`},
		{"bad nics", Config{KernelVersion: kver, GoinitPath: init, NICs: "some"},
			`check config: --nics "some": want generic, host or none`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if lsInterp == "" && strings.Contains(tt.name, "dynamic") {
				t.Skip("/bin/ls is not dynamically linked here")
			}
			tt.cfg.Output = out
			_, err := Build(tt.cfg)
			if err == nil || err.Error() != tt.err {
				t.Errorf("error = %v\nwant %q", err, tt.err)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a failed build left an image")
			}
		})
	}
}

// A kernel without any of the group modules: the build warns once, listing them, and still
// writes an image; the index files are there (empty).
func TestBuildWarnsAboutMissingGroupModules(t *testing.T) {
	init := staticInit(t)
	mods := t.TempDir()
	os.MkdirAll(filepath.Join(mods, "9.9.9-test"), 0o755)
	os.WriteFile(filepath.Join(mods, "9.9.9-test", "modules.dep"), nil, 0o644)
	os.WriteFile(filepath.Join(mods, "9.9.9-test", "modules.builtin"), []byte("kernel/net/packet/af_packet.ko\n"), 0o644)
	var log bytes.Buffer
	out := filepath.Join(t.TempDir(), "initrd")
	sum, err := Build(Config{
		Output: out, ModulesDir: mods, RunningKernel: "9.9.9-test", GoinitPath: init,
		BusyboxPath: BusyboxNone, NICs: NICsNone, Compress: "none", Log: &log,
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range moduleGroups {
		for _, m := range g.modules {
			if m != "af_packet" { // built in here: skipped silently
				names = append(names, m+" ("+g.name+")")
			}
		}
	}
	want := "warning: kernel 9.9.9-test has no module and no built-in for: " + strings.Join(names, ", ") + "\n" + sum.String() + "\n"
	if log.String() != want {
		t.Errorf("log\n%s\nwant\n%s", log.String(), want)
	}
	im, err := archive.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := im.Lookup("lib/modules/9.9.9-test/modules.builtin"); !ok || string(e.Data) != "kernel/net/packet/af_packet.ko\n" {
		t.Errorf("modules.builtin: %q (found %v)", e.Data, ok)
	}
	if len(sum.Modules) != 0 {
		t.Errorf("modules %v, want none", sum.Modules)
	}
}

// TestBuildWithSecretsIsPrivate: an image holding credentials is written mode 0600, one
// without them 0644.
func TestBuildWithSecretsIsPrivate(t *testing.T) {
	kver := installedKernel(t)
	init := staticInit(t)
	dir := t.TempDir()
	sec := filepath.Join(dir, "iscsi.secrets")
	if err := os.WriteFile(sec, []byte("username=u\npassword=p4ss-w0rd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		secrets string
		mode    os.FileMode
	}{{sec, 0o600}, {"", 0o644}} {
		out := filepath.Join(dir, "img"+tt.mode.String())
		if _, err := Build(Config{Output: out, KernelVersion: kver, GoinitPath: init, BusyboxPath: BusyboxNone,
			Compress: "none", NICs: NICsNone, ISCSISecrets: tt.secrets, Quiet: true}); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != tt.mode {
			t.Errorf("secrets %q: image mode %v, want %v", tt.secrets, fi.Mode().Perm(), tt.mode)
		}
	}
}

// unpackModule undoes mkinitramfs's per-module zstd.
func unpackModule(data []byte) ([]byte, error) {
	d, err := zstd.NewReader(nil)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.DecodeAll(data, nil)
}
