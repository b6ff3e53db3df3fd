//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestQEMUArgs(t *testing.T) {
	base := []string{"-accel", "tcg", "-m", "512", "-smp", "1", "-nodefaults", "-display", "none",
		"-monitor", "none", "-no-reboot", "-chardev", "stdio,id=con0,signal=off", "-serial", "chardev:con0",
		"-kernel", "/k", "-initrd", "/i"}
	tests := []struct {
		name string
		cfg  VMConfig
		want []string
		err  string
	}{
		{name: "plain", cfg: VMConfig{Initrd: "/i", Append: "panic=-1"},
			want: append(base, "-append", "console=ttyS0 panic=-1")},
		{name: "disks", cfg: VMConfig{Initrd: "/i", Disks: []Disk{
			{Path: "/a,b.img"}, {Path: "/s.img", Bus: "ahci", ReadOnly: true}, {Path: "/q", Bus: "ahci", Format: "qcow2"}},
			QEMUArgs: []string{"-device", "e1000"}},
			want: append(base, "-append", "console=ttyS0",
				"-drive", "file=/a,,b.img,format=raw,if=virtio",
				"-device", "ahci,id=ahci",
				"-drive", "file=/s.img,format=raw,readonly=on,if=none,id=d1", "-device", "ide-hd,drive=d1,bus=ahci.0",
				"-drive", "file=/q,format=qcow2,if=none,id=d2", "-device", "ide-hd,drive=d2,bus=ahci.1",
				"-device", "e1000")},
		{name: "own kernel and memory", cfg: VMConfig{Initrd: "/i", Kernel: "/k2", MemoryMB: 1024},
			want: []string{"-accel", "tcg", "-m", "1024", "-smp", "1", "-nodefaults", "-display", "none",
				"-monitor", "none", "-no-reboot", "-chardev", "stdio,id=con0,signal=off", "-serial", "chardev:con0",
				"-kernel", "/k2", "-initrd", "/i", "-append", "console=ttyS0"}},
		{name: "no initrd", cfg: VMConfig{}, err: "qemu args: VMConfig.Initrd is empty"},
		{name: "bad bus", cfg: VMConfig{Initrd: "/i", Disks: []Disk{{Path: "/d", Bus: "scsi"}}},
			err: `qemu args: disk 0 /d: bus "scsi", want virtio or ahci`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := qemuArgs(tt.cfg, "/k")
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("qemuArgs error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("qemuArgs = %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
}

func TestFindKernel(t *testing.T) {
	dir := t.TempDir()
	boot, mods := filepath.Join(dir, "boot"), filepath.Join(dir, "modules")
	for _, v := range []string{"6.1.0-9-amd64", "6.1.0-10-amd64", "6.12.0-1-amd64"} {
		os.MkdirAll(boot, 0o755)
		os.WriteFile(filepath.Join(boot, "vmlinuz-"+v), nil, 0o644)
	}
	if _, _, err := findKernel(boot, mods); err == nil || !strings.Contains(err.Error(), "no "+boot+"/vmlinuz-<version> with a matching "+mods+"/<version>") {
		t.Fatalf("findKernel without modules: err = %v", err)
	}
	for _, v := range []string{"6.1.0-9-amd64", "6.1.0-10-amd64"} { // 6.12 has no modules
		os.MkdirAll(filepath.Join(mods, v), 0o755)
	}
	v, k, err := findKernel(boot, mods)
	if err != nil || v != "6.1.0-10-amd64" || k != filepath.Join(boot, "vmlinuz-6.1.0-10-amd64") {
		t.Fatalf("findKernel = %q, %q, %v; want 6.1.0-10-amd64", v, k, err)
	}
}

func TestVersionLess(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		less bool
	}{
		{"6.1.0-9-amd64", "6.1.0-10-amd64", true},
		{"6.1.0-10-amd64", "6.1.0-9-amd64", false},
		{"6.1.0", "6.1.0-1", true},
		{"6.10.0", "6.9.0", false},
		{"6.1.0-1-amd64", "6.1.0-1-cloud", true},
		{"", "1", true},
	} {
		if got := versionLess(tt.a, tt.b); got != tt.less {
			t.Errorf("versionLess(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.less)
		}
	}
}

func TestParseCanary(t *testing.T) {
	c, err := parseCanary(`junk GOINIT-CANARY pid=1 argv=["/sbin/init","a b","x root=rw"] root=ro fstype=ext4 source=/dev/vda`)
	want := Canary{PID: 1, Argv: []string{"/sbin/init", "a b", "x root=rw"}, Root: "ro", FSType: "ext4", Source: "/dev/vda"}
	if err != nil || !reflect.DeepEqual(c, want) {
		t.Fatalf("parseCanary = %+v, %v; want %+v", c, err, want)
	}
	_, err = parseCanary("GOINIT-CANARY pid=1 argv=[x] root=rw fstype=a source=b")
	if err == nil || !strings.HasPrefix(err.Error(), `parse canary line "GOINIT-CANARY pid=1 argv=[x] root=rw fstype=a source=b": argv [x]: invalid character`) {
		t.Fatalf("parseCanary(bad json) err = %v", err)
	}
	_, err = parseCanary("hello")
	if err == nil || err.Error() != `parse canary line "hello": want GOINIT-CANARY pid=<n> argv=<json> root=<rw|ro> fstype=<t> source=<s>` {
		t.Fatalf("parseCanary(hello) err = %v", err)
	}
}

func TestConsoleLog(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	c := newConsoleLog(f)
	_, _, _, notify := c.snapshot()
	c.feed([]byte("one\r\ntw"))
	select {
	case <-notify:
	case <-time.After(time.Second):
		t.Fatal("feed did not notify")
	}
	c.feed([]byte("o\n# "))
	lines, partial, done, _ := c.snapshot()
	if len(lines) != 2 || lines[0].Text != "one" || lines[1].Text != "two" || partial != "# " || done {
		t.Fatalf("snapshot = %+v, %q, %v", lines, partial, done)
	}
	c.finish()
	lines, partial, done, _ = c.snapshot()
	if len(lines) != 3 || lines[2].Text != "# " || partial != "" || !done {
		t.Fatalf("after finish: %+v, %q, %v", lines, partial, done)
	}
	f.Close()
	data, _ := os.ReadFile(f.Name())
	if got := strings.Count(string(data), "\n"); got != 3 || !strings.Contains(string(data), "] two\n") {
		t.Fatalf("log file:\n%s", data)
	}
}

// A kernel record that lands inside a program's line becomes a line of its own, and the
// program's line is put back together (seen in a run: the canary's sha256 result read "ok[").
func TestConsoleLogKernelRecordInsideALine(t *testing.T) {
	c := newConsoleLog(nil)
	c.feed([]byte("GOINIT-CANARY-CHECK sha256 /etc/goinit-test-id ok[    5.177504] IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready\r\n"))
	c.feed([]byte("\r\nGOINIT-CANARY-CAT DEVICE='eth0'\n"))
	// Two records in a row inside one line, the rest of it split over the feeds.
	c.feed([]byte("goinit: mount the[    6.000001] first record\n[    6.000002] second record\n root (0.1s)\n"))
	// The start of a line with a record after it, and the rest not yet terminated.
	c.feed([]byte("# pro[    7.000000] late record\nmpt"))
	lines, partial, _, _ := c.snapshot()
	var got []string
	for _, l := range lines {
		got = append(got, l.Text)
	}
	want := []string{
		"[    5.177504] IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready",
		"GOINIT-CANARY-CHECK sha256 /etc/goinit-test-id ok",
		"GOINIT-CANARY-CAT DEVICE='eth0'",
		"[    6.000001] first record",
		"[    6.000002] second record",
		"goinit: mount the root (0.1s)",
		"[    7.000000] late record",
	}
	if !slices.Equal(got, want) || partial != "# prompt" {
		t.Errorf("lines:\n%s\npartial %q\nwant:\n%s\npartial \"# prompt\"", strings.Join(got, "\n"), partial, strings.Join(want, "\n"))
	}
	c.finish()
	lines, _, _, _ = c.snapshot()
	if last := lines[len(lines)-1].Text; last != "# prompt" {
		t.Errorf("after finish, the last line is %q, want the held start joined to the rest", last)
	}
	// A record at the start of a line is a line of its own; the plain line after it is joined to
	// nothing.
	c2 := newConsoleLog(nil)
	c2.feed([]byte("[    1.000000] a record\nplain line\n"))
	if l, _, _, _ := c2.snapshot(); len(l) != 2 || l[1].Text != "plain line" {
		t.Errorf("lines = %+v", l)
	}
}

func TestConsoleTextDropsControlSequences(t *testing.T) {
	for raw, want := range map[string]string{
		"Loading no-such-kernel...\x1b[25;25H\x1b[25;26H failed\r": "Loading no-such-kernel... failed",
		"no-such-k\x1b[7;20Hernel":                                 "no-such-kernel",
		"\x1b[?25l\x1b[2JiPXE 1.21":                                "iPXE 1.21",
		"plain [ 1.0] text":                                        "plain [ 1.0] text",
	} {
		if got := consoleText([]byte(raw)); got != want {
			t.Errorf("consoleText(%q) = %q, want %q", raw, got, want)
		}
	}
}

// fakeVM is a VM without QEMU: a console fed by the test.
func fakeVM(t *testing.T) *VM {
	return &VM{t: t, con: newConsoleLog(nil), exited: make(chan struct{}), readDone: make(chan struct{})}
}

func TestFind(t *testing.T) {
	vm := fakeVM(t)
	vm.con.feed([]byte("[    0.000000] Command line: root=LABEL=missing\n" +
		"[ 0.100] goinit: waiting for LABEL=missing\n" +
		"[    2.000000] virtio_blk virtio1: [vda] 131072 512-byte logical blocks\n" +
		"goinit:   vda (64.0 MiB ext4)\n" +
		"# "))
	if got, err := vm.FindUser(`LABEL=missing`, time.Second); err != nil || got != "[ 0.100] goinit: waiting for LABEL=missing" {
		t.Fatalf("FindUser(LABEL=missing) = %q, %v", got, err)
	}
	if got, err := vm.FindUser(`\bvda\b`, time.Second); err != nil || got != "goinit:   vda (64.0 MiB ext4)" {
		t.Fatalf("FindUser(vda) = %q, %v", got, err)
	}
	if _, err := vm.Find(`^# $`, 50*time.Millisecond); err == nil ||
		!strings.HasPrefix(err.Error(), `no console line matched "^# $" within 50ms`) ||
		!strings.Contains(err.Error(), "  [ partial] # \n") {
		t.Fatalf("Find on a partial line: err = %v, want a timeout showing the partial line", err)
	}
	if got, err := vm.FindPrompt(`^# $`, time.Second); err != nil || got != "# " {
		t.Fatalf("FindPrompt = %q, %v", got, err)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		vm.con.feed([]byte("echo\nlater line\n"))
	}()
	if got, err := vm.Find(`^later`, time.Second); err != nil || got != "later line" {
		t.Fatalf("Find(later) = %q, %v", got, err)
	}
	if got := vm.Seen(`LABEL=missing`); len(got) != 2 {
		t.Fatalf("Seen(LABEL=missing) = %q, want both lines", got)
	}
	close(vm.exited)
	vm.con.finish()
	if _, err := vm.Find(`never`, time.Second); err == nil ||
		!strings.HasPrefix(err.Error(), `QEMU exited (status 0) `) || !strings.Contains(err.Error(), `before a console line matched "never"`) {
		t.Fatalf("Find after exit: err = %v", err)
	}
	if _, err := vm.Find(`(`, time.Second); err == nil || !strings.HasPrefix(err.Error(), `wait for console pattern "(": error parsing regexp`) {
		t.Fatalf("Find with a bad pattern: err = %v", err)
	}
}
