//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// PXE pieces from Debian's packages: the PXELINUX boot program (pxelinux) and its core module
// (syslinux-common). QEMU takes the NIC's iPXE ROM from ipxe-qemu by itself.
const (
	pxelinuxBin  = "/usr/lib/PXELINUX/pxelinux.0"
	ldlinuxC32   = "/usr/lib/syslinux/modules/bios/ldlinux.c32"
	ipxeROMDir   = "/usr/lib/ipxe/qemu"
	serconPortCF = "etc/sercon-port"
)

// TFTPRoot makes a TFTP root holding pxelinux.0 and ldlinux.c32, readable by anyone. It skips
// the test when the packages are not installed (make deps installs them).
func TFTPRoot(t testing.TB) string {
	t.Helper()
	for _, p := range []struct{ file, pkg string }{{pxelinuxBin, "pxelinux"}, {ldlinuxC32, "syslinux-common"}, {ipxeROMDir, "ipxe-qemu"}} {
		if _, err := os.Stat(p.file); err != nil {
			t.Skipf("PXE: %s missing: install %s (make deps)", p.file, p.pkg)
		}
	}
	dir := filepath.Join(t.TempDir(), "tftp")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{pxelinuxBin, ldlinuxC32} {
		data, err := os.ReadFile(src)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, filepath.Base(src)), data, 0o644)
		}
		if err != nil {
			t.Fatalf("TFTP root: %v", err)
		}
	}
	return dir
}

// StartPXE runs dnsmasq as DHCP and TFTP server on tap0: the boot file is pxelinux.0 from
// tftpRoot, and router advertisements from the tap's pinned link-local address end iPXE's wait
// for IPv6 autoconfiguration (TESTBED.md: a PXE boot takes ~15 s instead of ~28 s). dnsmasq
// keeps root rights (user=root) so it can read a TFTP root under the test's 0700 temp dirs.
// Its log (Dir/dnsmasq.log) lists every file it sent by TFTP and every one it did not find.
func (l *Lab) StartPXE(t testing.TB, tftpRoot string, conf ...string) *Proc {
	t.Helper()
	// dnsmasq advertises only prefixes the interface has an address in; without one it ignores
	// iPXE's router solicitations and iPXE waits its full IPv6 timeout.
	l.Exec(t, "ip", "addr", "replace", "fd99::1/64", "dev", l.Taps[0], "nodad")
	lines := []string{
		"user=root",
		"enable-tftp",
		"tftp-root=" + tftpRoot,
		"dhcp-boot=pxelinux.0",
		"enable-ra",
		"dhcp-range=fd99::,ra-only",
	}
	return l.StartDnsmasq(t, append(lines, conf...)...)
}

// serconPort writes the 2-byte fw_cfg file that makes SeaBIOS copy its text console (and so
// iPXE's and PXELINUX's) to the serial port at 0x3f8, and returns QEMU's -fw_cfg arguments.
func serconPort(t testing.TB) []string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sercon-port")
	if err := os.WriteFile(p, []byte{0xf8, 0x03}, 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"-fw_cfg", "name=" + serconPortCF + ",file=" + p}
}

// tftpSent lists the files (relative to root) dnsmasq's log says it sent by TFTP, in order.
func tftpSent(log, root string) []string {
	var sent []string
	for _, line := range strings.Split(log, "\n") {
		_, rest, ok := strings.Cut(line, "sent ")
		if !ok || !strings.Contains(line, "tftp") {
			continue
		}
		file, _, _ := strings.Cut(rest, " to ")
		sent = append(sent, strings.TrimPrefix(strings.TrimPrefix(file, root), "/"))
	}
	return sent
}

// waitTFTPSent waits until dnsmasq's log says it sent file (relative to root) and returns
// everything sent so far. dnsmasq logs a transfer only after the client's last ACK, and
// the client may act on the file (print an error, boot) before that line is written.
func waitTFTPSent(p *Proc, root, file string, timeout time.Duration) []string {
	deadline := time.Now().Add(timeout)
	for {
		sent := tftpSent(p.Log(), root)
		if slices.Contains(sent, file) || time.Now().After(deadline) {
			return sent
		}
		time.Sleep(100 * time.Millisecond)
	}
}
