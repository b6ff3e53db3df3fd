package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goinit/goinit/pxelinux"
)

func TestPxelinuxAppendLine(t *testing.T) {
	tests := []struct {
		name string
		o    pxeOptions
		want string
		err  string
	}{
		{"nfs with overlay", pxeOptions{root: "nfs:10.99.0.1:/export", overlay: true, ipParam: "dhcp"},
			"root=nfs:10.99.0.1:/export rd.overlay ip=dhcp", ""},
		{"aoe", pxeOptions{root: "aoe:e7.1"}, "root=aoe:e7.1", ""},
		{"root= prefix tolerated, serial, extra", pxeOptions{root: "root=/dev/nfs", serial: "ttyS1", extra: " nfsroot=10.99.0.1:/export,ro,nolock AUFS=1 "},
			"root=/dev/nfs console=ttyS1,115200 nfsroot=10.99.0.1:/export,ro,nolock AUFS=1", ""},
		{"root with a space", pxeOptions{root: "nfs:a b"}, "",
			`pxelinux: --root "nfs:a b": expected one root= value, e.g. --root nfs:10.99.0.1:/export or --root aoe:e7.1`},
		{"bad serial", pxeOptions{root: "aoe:e7.1", serial: "ttyUSB0"}, "",
			`pxelinux: --serial "ttyUSB0": expected ttyS<N>[,<baud>], e.g. --serial ttyS0,115200`},
		{"bad baud", pxeOptions{root: "aoe:e7.1", serial: "ttyS0,fast"}, "",
			`pxelinux: --serial "ttyS0,fast": expected ttyS<N>[,<baud>], e.g. --serial ttyS0,115200`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := tt.o.appendLine()
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("appendLine = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestPxelinuxCheckAppend: the APPEND line goes through goinit's own parsers; a typo is refused
// with goinit's error text.
func TestPxelinuxCheckAppend(t *testing.T) {
	ok := []string{
		"root=nfs:10.99.0.1:/export rd.overlay ip=dhcp",
		"root=aoe:e7.1",
		"AUFS=1 nfsroot=192.168.1.1:/fs/nfs/puppy,ro,nolock root=/dev/nfs",
		"root=nbd:10.99.0.1:root ip=eth0:dhcp BOOTIF=01-52-54-00-12-34-56",
	}
	for _, l := range ok {
		if err := checkAppend(l); err != nil {
			t.Errorf("checkAppend(%q) = %v, want ok", l, err)
		}
	}
	bad := []struct{ line, errPart string }{
		{"root=aoe:e7", `root=aoe:e7`},
		{"root=nfs:10.99.0.1:/export ip=dhcpp", `ip=`},
		{"root=nfs:10.99.0.1:/export rd.overlay=tmpfs:size=lots", `rd.overlay`},
		{"root=/dev/vda1 rd.retry=abc", `rd.retry="abc"`},
		{"", "no root= parameter"},
	}
	for _, b := range bad {
		err := checkAppend(b.line)
		if err == nil || !strings.Contains(err.Error(), b.errPart) {
			t.Errorf("checkAppend(%q) = %v, want an error naming %s", b.line, err, b.errPart)
		}
	}
}

func TestPxelinuxCommand(t *testing.T) {
	bin := binary(t)
	src := t.TempDir()
	kernel := testKernel(t, src, "6.1.0-99-test")
	initrd := testImage(t, src, "initrd-test.img", "6.1.0-99-test", testIndexFiles())
	nfsOnly := testImage(t, src, "nfs-only.img", "6.1.0-99-test",
		map[string]string{"modules.dep": "kernel/fs/nfs/nfs.ko.zst:\nkernel/fs/nfs/nfsv4.ko.zst: kernel/fs/nfs/nfs.ko.zst\n"})
	tftp := t.TempDir()
	base := []string{"pxelinux", "--tftp-root", tftp, "--kernel", kernel, "--initrd", initrd}

	// Usage errors (exit 2) with goinit's own error text for a bad root.
	usage := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no root", base, "mkinitramfs: pxelinux: no --root given (see mkinitramfs pxelinux -h)\n"},
		{"typo in root", append(base[:len(base):len(base)], "--root", "aoe:e7"),
			"mkinitramfs: pxelinux: APPEND root=aoe:e7: goinit would fail to boot: "},
		{"bad mac", append(base[:len(base):len(base)], "--root", "aoe:e7.1", "--mac", "52:54:00"),
			"mkinitramfs: pxelinux: --mac \"52:54:00\": expected an Ethernet MAC address, e.g. --mac 52:54:00:12:34:56\n"},
		{"bad ip", append(base[:len(base):len(base)], "--root", "aoe:e7.1", "--ip", "fd99::5"),
			"mkinitramfs: pxelinux: --ip \"fd99::5\": expected an IPv4 address, e.g. --ip 10.99.0.50\n"},
		{"unknown default", append(base[:len(base):len(base)], "--root", "aoe:e7.1", "--default-label", "other"),
			"mkinitramfs: pxelinux: --default-label \"other\": no such label; the config has \"goinit\"\n"},
		{"stray argument", []string{"pxelinux", "x"}, "mkinitramfs: pxelinux: unexpected argument \"x\": flags only (see mkinitramfs pxelinux -h)\n"},
	}
	for _, u := range usage {
		_, stderr, code := runCmd(t, bin, u.args...)
		if code != 2 || !strings.HasPrefix(stderr, u.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want 2, %q", u.name, code, stderr, u.stderr)
		}
	}
	// The image is held against the kernel and the root: exit 1, nothing written.
	noAoE := []string{"pxelinux", "--tftp-root", tftp, "--kernel", kernel, "--initrd", nfsOnly, "--root", "aoe:e7.1"}
	if _, stderr, code := runCmd(t, bin, noAoE...); code != 1 || stderr != "mkinitramfs: pxelinux: --initrd \""+nfsOnly+
		"\" has no module for \"aoe\", which APPEND root=aoe:e7.1 needs at boot (kernel 6.1.0-99-test); rebuild the image with --roots including aoe (or --roots all)\n" {
		t.Errorf("an NFS-only image for an AoE root: exit %d, stderr %q; want 1 and the missing module", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(tftp, "pxelinux.cfg")); err == nil {
		t.Errorf("a refused command wrote pxelinux.cfg")
	}
	if _, err := os.Stat(filepath.Join(tftp, "nfs-only.img")); err == nil {
		t.Errorf("a refused command placed the initramfs in the TFTP root")
	}
	if out, _, code := runCmd(t, bin, "pxelinux", "-h"); code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "--tftp-root") {
		t.Errorf("pxelinux -h: exit %d, output %q", code, out)
	}

	args := append(base[:len(base):len(base)], "--root", "nfs:10.99.0.1:/export", "--overlay", "--ip-param", "dhcp",
		"--ipappend", "--serial", "ttyS0,115200", "--mac", "52:54:00:AB:cd:01", "--ip", "10.99.0.50")
	stdout, stderr, code := runCmd(t, bin, args...)
	if code != 0 {
		t.Fatalf("pxelinux: exit %d: %s", code, stderr)
	}
	wantAppend := "root=nfs:10.99.0.1:/export rd.overlay ip=dhcp console=ttyS0,115200"
	if !strings.Contains(stdout, "APPEND "+wantAppend+"\n") {
		t.Errorf("stdout does not show the APPEND line:\n%s", stdout)
	}
	var first []byte
	for _, n := range []string{"default", "01-52-54-00-ab-cd-01", "0A630032"} {
		data, err := os.ReadFile(filepath.Join(tftp, "pxelinux.cfg", n))
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = data
		} else if string(data) != string(first) {
			t.Errorf("pxelinux.cfg/%s differs from default", n)
		}
		c, err := pxelinux.Parse(data)
		if err != nil {
			t.Fatalf("pxelinux.cfg/%s: %v", n, err)
		}
		l := c.Label("goinit")
		if c.Default != "goinit" || l == nil || l.Kernel != "vmlinuz-6.1.0-99-test" || l.Initrd != "initrd-test.img" ||
			l.Append != wantAppend || l.IPAppend != 2 || c.Serial == nil || c.Serial.Baud != 115200 {
			t.Errorf("pxelinux.cfg/%s:\n%s", n, data)
		}
	}
	for _, f := range []string{kernel, initrd} {
		want, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(tftp, filepath.Base(f)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s in the TFTP root: %d bytes, %v; want a copy of the %d bytes", filepath.Base(f), len(got), err, len(want))
		}
	}

	// --from keeps an existing config's labels; --show prints them with goinit's verdict.
	dflt := filepath.Join(tftp, "pxelinux.cfg", "default")
	if err := os.WriteFile(dflt, []byte("DEFAULT local\nLABEL local\n  LOCALBOOT 0\nLABEL old\n  KERNEL k\n  APPEND root=aoe:e7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runCmd(t, bin, append(base[:len(base):len(base)], "--root", "aoe:e7.1", "--from", dflt)...); code != 0 {
		t.Fatalf("pxelinux --from: exit %d: %s", code, stderr)
	}
	// The label "old" has a typo: --show prints everything, then fails naming it.
	stdout, stderr, code = runCmd(t, bin, "pxelinux", "--show", dflt)
	if wantErr := "mkinitramfs: pxelinux: --show " + dflt + ": goinit would fail to boot label \"old\" (see above)\n"; code != 1 || stderr != wantErr {
		t.Errorf("pxelinux --show: exit %d, stderr %q; want 1, %q", code, stderr, wantErr)
	}
	for _, want := range []string{
		dflt + ": 3 label(s), DEFAULT local\n",
		"* LABEL local: localboot 0\n",
		"  LABEL old: kernel k\n    APPEND root=aoe:e7\n    goinit: cmdline: root=",
		"  LABEL goinit: kernel vmlinuz-6.1.0-99-test, initrd initrd-test.img\n    APPEND root=aoe:e7.1 initrd=initrd-test.img\n    goinit: ok\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--show output lacks %q:\n%s", want, stdout)
		}
	}
	if _, stderr, code := runCmd(t, bin, "pxelinux", "--show", filepath.Join(tftp, "nope")); code != 1 || !strings.Contains(stderr, "read pxelinux config: open ") {
		t.Errorf("--show of a missing file: exit %d, %q; want 1", code, stderr)
	}
}
