//go:build e2e

package modalias

// End-to-end check of the boot side against the real Debian kernel in QEMU (TCG): this test
// binary is the initramfs's /init. In the guest it coldplugs with finit_module, follows
// uevents (a scsi_debug disk added after coldplug gets sd_mod by hotplug), serves the kernel's request_module as
// its modprobe helper (mounting ext4 asks for "fs-ext4"), and checks the results. The guest
// has NICs without any network backend: no traffic leaves QEMU.
//
//	go test -tags e2e -run QEMU -v ./modalias/

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

const guestEnv = "MODALIAS_GUEST"

func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "modprobe" {
		var uts unix.Utsname
		_ = unix.Uname(&uts)
		cmdline, _ := os.ReadFile("/proc/cmdline")
		os.Exit(ServeModprobe(os.Args[1:], "/lib/modules/"+unix.ByteSliceToString(uts.Release[:]), string(cmdline)))
	}
	if os.Getpid() == 1 && os.Getenv(guestEnv) == "1" {
		guestInit()
	}
	os.Exit(m.Run())
}

func guestInit() {
	defer func() {
		if r := recover(); r != nil {
			fmt.Printf("guest: RESULT FAIL: panic: %v\n", r)
		}
		unix.Sync()
		_ = unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
	}()
	for _, m := range []struct{ src, dst, typ string }{{"proc", "/proc", "proc"}, {"sysfs", "/sys", "sysfs"}, {"devtmpfs", "/dev", "devtmpfs"}} {
		_ = os.MkdirAll(m.dst, 0o755)
		if err := unix.Mount(m.src, m.dst, m.typ, 0, ""); err != nil {
			fmt.Printf("guest: RESULT FAIL: mount %s: %v\n", m.dst, err)
			return
		}
	}
	if fd, err := unix.Open("/dev/console", unix.O_RDWR, 0); err == nil {
		_ = unix.Dup2(fd, 1)
		_ = unix.Dup2(fd, 2)
	}
	say := func(format string, args ...any) { fmt.Printf("guest: "+format+"\n", args...) }
	var fails []string
	fail := func(format string, args ...any) { fails = append(fails, fmt.Sprintf(format, args...)) }

	var uts unix.Utsname
	_ = unix.Uname(&uts)
	dir := "/lib/modules/" + unix.ByteSliceToString(uts.Release[:])
	ix, err := Load(dir)
	if err != nil {
		say("RESULT FAIL: %v", err)
		return
	}
	cmdline, _ := os.ReadFile("/proc/cmdline")
	l := NewLoader(ix, ParseModuleParams(string(cmdline)), say)
	if err := os.WriteFile("/proc/sys/kernel/modprobe", []byte("/lib/goinit/modprobe"), 0); err != nil {
		fail("set modprobe helper: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	u, err := ListenUevents()
	if err != nil {
		say("RESULT FAIL: %v", err)
		return
	}
	events := make(chan Uevent, 4096)
	go u.Run(ctx, func(ev Uevent) {
		select {
		case events <- ev:
		default:
			say("uevent queue full, dropped %s", ev.DevPath)
		}
	})
	start := time.Now()
	rep, err := Coldplug(ctx, l, "/sys")
	if err != nil {
		fail("coldplug: %v", err)
	}
	go Hotplug(ctx, l, events)
	for i, r := range rep.Rounds {
		say("round %d: %d devices, %d new, loaded [%s] in %v", i+1, r.Devices, r.New, strings.Join(r.Loaded, " "), r.Duration)
	}
	say("coldplug took %v; loaded %d modules; %d distinct modaliases", time.Since(start), len(rep.Loaded), len(rep.Modaliases))
	for _, d := range rep.Unmatched {
		say("unmatched %s %s", d.Path, d.Modalias)
	}
	for _, e := range rep.Errors {
		say("error: %v", e)
	}
	if len(rep.Rounds) < 2 {
		fail("want at least 2 coldplug rounds (virtio_pci creates virtio devices), got %d", len(rep.Rounds))
	}

	waitFor := func(what string, ok func() bool) {
		deadline := time.Now().Add(30 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				fail("%s: not after 30s", what)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		say("%s: ok after %v", what, time.Since(start).Round(time.Millisecond))
	}
	exists := func(glob string) func() bool {
		return func() bool { m, _ := filepath.Glob(glob); return len(m) > 0 }
	}
	waitFor("virtio_net bound", exists("/sys/bus/virtio/drivers/virtio_net/virtio*"))
	waitFor("e1000 bound", exists("/sys/bus/pci/drivers/e1000/0000:*"))
	waitFor("virtio disk /sys/block/vda", exists("/sys/block/vda"))
	// A disk that appears after coldplug: scsi_debug's LUN shows up through a uevent, and
	// Hotplug must load sd_mod for it.
	if _, err := os.Stat("/sys/module/sd_mod"); err == nil {
		fail("sd_mod loaded before any SCSI disk exists")
	}
	if _, err := l.Load(ctx, "scsi_debug"); err != nil {
		fail("load scsi_debug: %v", err)
	}
	waitFor("scsi_debug disk /sys/block/sda (sd_mod by hotplug)", exists("/sys/block/sda"))
	if b, err := os.ReadFile("/sys/module/e1000/parameters/copybreak"); err != nil || strings.TrimSpace(string(b)) != "0" {
		fail("e1000.copybreak from the cmdline: got %q, %v; want 0", b, err)
	}
	if _, err := l.Load(ctx, "e1000"); err != nil {
		fail("loading e1000 again: %v", err)
	}

	// ext4 is not loaded yet: mounting it makes the kernel run our modprobe for "fs-ext4",
	// which must bring crc32c_generic through the softdep (crc32c-intel has no SSE4.2 on TCG).
	if _, err := os.Stat("/sys/module/ext4"); err == nil {
		fail("ext4 loaded before the mount")
	}
	_ = os.MkdirAll("/mnt", 0o755)
	if err := unix.Mount("/dev/vda", "/mnt", "ext4", unix.MS_RDONLY, ""); err != nil {
		fail("mount ext4 through request_module: %v", err)
	} else {
		b, err := os.ReadFile("/mnt/marker")
		if err != nil || string(b) != "modalias-e2e\n" {
			fail("read /mnt/marker: %q, %v", b, err)
		}
		say("mounted ext4 via the modprobe helper")
	}
	for _, m := range []string{"ext4", "jbd2", "mbcache", "crc16", "crc32c_generic"} {
		if b, err := os.ReadFile("/sys/module/" + m + "/initstate"); err != nil || strings.TrimSpace(string(b)) != "live" {
			fail("module %s not live after the mount: %q, %v", m, b, err)
		}
	}
	if len(fails) > 0 {
		say("RESULT FAIL: %s", strings.Join(fails, "; "))
		return
	}
	say("RESULT OK")
}

func TestQEMUColdplug(t *testing.T) {
	const kernel = "/boot/vmlinuz-6.1.0-56-amd64"
	for _, tool := range []string{"qemu-system-x86_64", "cpio", "mkfs.ext4", "debugfs"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s", tool)
		}
	}
	if _, err := os.Stat(kernel); err != nil {
		t.Skip(err)
	}
	ix := realIndex(t)
	names, err := ix.Closure([]string{"virtio_pci", "virtio_net", "virtio_blk", "e1000", "ata_piix", "ata_generic", "sd_mod", "scsi_debug", "ext4"})
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	stage := filepath.Join(work, "root")
	modDir := filepath.Join(stage, realDir)
	for _, n := range names {
		m, _ := ix.Module(n)
		data, err := os.ReadFile(filepath.Join(realDir, m.Path)) // Debian ships plain .ko
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(modDir, UncompressedPath(m.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range ix.WriteSubset(names) {
		if err := os.WriteFile(filepath.Join(modDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stage, "init"), self, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"proc", "sys", "dev", "mnt", "lib/goinit"} {
		if err := os.MkdirAll(filepath.Join(stage, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/init", filepath.Join(stage, "lib/goinit/modprobe")); err != nil {
		t.Fatal(err)
	}
	image := filepath.Join(work, "initrd.cpio")
	run(t, "sh", "-c", "cd "+stage+" && find . | cpio -o -H newc --quiet > "+image)

	marker := filepath.Join(work, "marker")
	if err := os.WriteFile(marker, []byte("modalias-e2e\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	vdisk := filepath.Join(work, "vda.img")
	if err := os.WriteFile(vdisk, make([]byte, 16<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "mkfs.ext4", "-q", "-F", vdisk)
	run(t, "debugfs", "-w", "-R", "write "+marker+" marker", vdisk)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "qemu-system-x86_64", "-accel", "tcg", "-m", "512",
		"-nodefaults", "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot", "-nic", "none",
		"-kernel", kernel, "-initrd", image,
		"-append", "console=ttyS0 panic=-1 loglevel=4 "+guestEnv+"=1 e1000.copybreak=0",
		"-device", "virtio-net-pci", "-device", "e1000",
		"-drive", "if=none,id=vd,format=raw,file="+vdisk, "-device", "virtio-blk-pci,drive=vd")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	err = cmd.Run()
	t.Logf("QEMU ran %v (%v)", time.Since(start).Round(time.Millisecond), err)
	var guest []string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "guest: ") || strings.Contains(line, "modalias:") {
			guest = append(guest, strings.TrimRight(line, "\r"))
		}
	}
	t.Logf("guest says:\n%s", strings.Join(guest, "\n"))
	if !strings.Contains(out.String(), "guest: RESULT OK") {
		t.Errorf("no RESULT OK; full console:\n%s", out.String())
	}
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
