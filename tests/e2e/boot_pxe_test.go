//go:build e2e

package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goinit/goinit/pxelinux"
)

// pxeWait bounds a whole PXE boot: firmware, iPXE, PXELINUX, two TFTP downloads, then goinit.
const pxeWait = 180 * time.Second

// pxeMAC is the guest's NIC; each subtest has a lab of its own.
const pxeMAC = "52:54:00:e6:00:42"

// pxeImage is goinit's image for the PXE boots: both NIC drivers whose iPXE ROMs the tests use.
func pxeImage(t testing.TB) string {
	t.Helper()
	return Mkinitramfs(t, "--nics", "none", "--modules", "e1000,virtio_pci,virtio_net", "--busybox", "none")
}

// TestPXE boots a diskless client the way a user does: mkinitramfs pxelinux writes the TFTP
// root, dnsmasq serves DHCP and TFTP, QEMU boots with -boot n through its NIC's iPXE ROM into
// Debian's pxelinux.0. pxelinux.cfg/default holds a label whose kernel does not exist, so only
// the per-MAC file mkinitramfs wrote can boot the client. goinit finds the NIC by BOOTIF
// (IPAPPEND 2), attaches the root, stacks the tmpfs overlay, and the canary writes a file.
func TestPXE(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		model string
		root  string // --root
		flags []string
		nfs   bool
		aoe   bool
	}{
		{"nfs_overlay_e1000", "e1000", "nfs:10.99.0.1:/export", []string{"--ip-param", "dhcp"}, true, false},
		{"aoe_overlay_virtio", "virtio-net-pci", "aoe:e7.1", nil, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.nfs {
				LockNFS(t) // before NewLab: released after the servers are stopped
			}
			e := env(t)
			img := pxeImage(t)
			id, idCheck := IDFile(t)
			tree := RootTree(t, id)
			tftp := TFTPRoot(t)

			// The user's command, with the canary's checks as extra parameters.
			const written = "/pxe-overlay-write"
			args := []string{"pxelinux", "--tftp-root", tftp, "--kernel", e.Kernel, "--initrd", img,
				"--root", tt.root, "--overlay", "--ipappend", "--serial", "ttyS0,115200", "--mac", pxeMAC,
				"--append", "panic=10 " + idCheck + " canary.write=" + written + " canary.cat=/proc/cmdline"}
			out := run(t, e.Bin(t, "mkinitramfs"), append(args, tt.flags...)...)
			t.Logf("mkinitramfs pxelinux:\n%s", out)
			if strings.Contains(out, "note:") {
				t.Errorf("mkinitramfs pxelinux could not check the image against the installed kernel:\n%s", out)
			}
			perMAC := "pxelinux.cfg/" + pxelinux.MACName(mustMAC(t, pxeMAC))
			if _, err := os.Stat(filepath.Join(tftp, perMAC)); err != nil {
				t.Fatalf("mkinitramfs pxelinux did not write %s: %v", perMAC, err)
			}
			// default: a label that cannot boot. Reaching the canary proves the per-MAC file won.
			broken := pxelinux.Write(&pxelinux.Config{Default: "broken", Serial: &pxelinux.Serial{Port: 0, Baud: 115200},
				Labels: []pxelinux.Label{{Name: "broken", Kernel: "no-such-kernel", Append: "panic=-1"}}})
			if err := os.WriteFile(filepath.Join(tftp, "pxelinux.cfg", "default"), broken, 0o644); err != nil {
				t.Fatal(err)
			}

			lab := NewLab(t, 1)
			dnsmasq := lab.StartPXE(t, tftp)
			switch {
			case tt.nfs:
				lab.StartNFS(t, tree)
			case tt.aoe:
				StartVblade(t, lab, AoEExport{Shelf: 7, Slot: 1, Img: MakeSquashfs(t, tree), ReadOnly: true})
			}
			vm := Boot(t, VMConfig{PXE: true, NetNS: lab.NS,
				QEMUArgs: append(lab.NIC(0, tt.model, pxeMAC), serconPort(t)...)})
			keepPXELogs(t, vm, lab)

			// Milestones: iPXE, PXELINUX, the kernel, goinit, the canary.
			vm.WaitFor(`iPXE`, pxeWait)
			ipxe := vm.Since()
			vm.WaitFor(`PXELINUX \d`, pxeWait)
			pxe := vm.Since()
			vm.WaitFor(`Linux version`, pxeWait)
			kern := vm.Since()
			vm.WaitFor(kernelRunsInit, pxeWait)
			initAt := vm.Since()
			c := vm.WaitCanary(pxeWait)
			t.Logf("PXE boot: iPXE %.1fs, PXELINUX %.1fs, kernel %.1fs, /init %.1fs, canary %.1fs after QEMU start",
				ipxe.Seconds(), pxe.Seconds(), kern.Seconds(), initAt.Seconds(), c.At.Seconds())
			if c.PID != 1 || c.Root != "rw" || c.FSType != "overlay" {
				t.Errorf("canary = %+v, want pid 1 on a rw overlay root", c)
			}
			if status, detail := vm.Check("sha256", "/etc/goinit-test-id", pxeWait); status != "ok" {
				t.Errorf("root is not this test's tree: sha256 check %s %s", status, detail)
			}
			if status, detail := vm.Check("write", written, pxeWait); status != "ok" {
				t.Errorf("write to the overlay root: %s %s", status, detail)
			}
			if status, detail := vm.Check("cat", "/proc/cmdline", pxeWait); status != "ok" {
				t.Errorf("cat /proc/cmdline: %s %s", status, detail)
			}
			vm.WaitPowerOff(pxeWait)

			cmdline := strings.Join(vm.Seen(`^GOINIT-CANARY-CAT `), "\n")
			bootif := "BOOTIF=" + pxelinux.BootIF(mustMAC(t, pxeMAC))
			for _, want := range []string{bootif, "root=" + tt.root, "rd.overlay", "initrd=" + filepath.Base(img)} {
				if !strings.Contains(cmdline, want) {
					t.Errorf("the kernel command line lacks %s: %s", want, cmdline)
				}
			}
			sent := tftpSent(dnsmasq.Log(), tftp)
			t.Logf("TFTP sent: %q", sent)
			for _, want := range []string{"pxelinux.0", "ldlinux.c32", perMAC, filepath.Base(e.Kernel), filepath.Base(img)} {
				if !slices.Contains(sent, want) {
					t.Errorf("dnsmasq did not send %s by TFTP; sent %q", want, sent)
				}
			}
			if slices.Contains(sent, "pxelinux.cfg/default") {
				t.Errorf("PXELINUX fetched pxelinux.cfg/default although %s exists; sent %q", perMAC, sent)
			}
			if got := vm.Seen(`goinit: .*(rd\.overlay|overlay)`); len(got) == 0 {
				t.Errorf("no overlay step on goinit's console")
			}
			if tt.nfs && len(vm.Seen(`goinit: network: .*eth0`)) == 0 {
				t.Errorf("goinit did not report its network on eth0: %q", vm.Seen(`goinit: network`))
			}
		})
	}
}

// TestPXEDefaultFallback: without a per-client file PXELINUX takes pxelinux.cfg/default; its
// label names a kernel that does not exist, and PXELINUX says so. This is the other half of
// TestPXE's proof that the per-MAC file, not default, booted the client.
func TestPXEDefaultFallback(t *testing.T) {
	t.Parallel()
	tftp := TFTPRoot(t)
	broken := pxelinux.Write(&pxelinux.Config{Default: "broken",
		Labels: []pxelinux.Label{{Name: "broken", Kernel: "no-such-kernel", Append: "panic=-1"}}})
	if err := os.MkdirAll(filepath.Join(tftp, "pxelinux.cfg"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tftp, "pxelinux.cfg", "default"), broken, 0o644); err != nil {
		t.Fatal(err)
	}
	lab := NewLab(t, 1)
	dnsmasq := lab.StartPXE(t, tftp)
	vm := Boot(t, VMConfig{PXE: true, NetNS: lab.NS,
		QEMUArgs: append(lab.NIC(0, "virtio-net-pci", pxeMAC), serconPort(t)...)})
	keepPXELogs(t, vm, lab)
	line := vm.WaitFor(`no-such-kernel`, pxeWait)
	t.Logf("PXELINUX %.1fs after QEMU start: %s", vm.Since().Seconds(), line)
	sent := waitTFTPSent(dnsmasq, tftp, "pxelinux.cfg/default", 10*time.Second)
	if !slices.Contains(sent, "pxelinux.cfg/default") {
		t.Errorf("dnsmasq did not send pxelinux.cfg/default; sent %q", sent)
	}
}

// keepPXELogs keeps the console and server logs of a passing test too when
// GOINIT_E2E_KEEP_LOGS is set (a failing test keeps them anyway).
func keepPXELogs(t *testing.T, vm *VM, lab *Lab) {
	t.Cleanup(func() {
		if os.Getenv("GOINIT_E2E_KEEP_LOGS") != "" && !t.Failed() {
			vm.keepLog()
			lab.keepLogs(t)
		}
	})
}

func mustMAC(t testing.TB, s string) net.HardwareAddr {
	t.Helper()
	mac, err := net.ParseMAC(s)
	if err != nil {
		t.Fatal(err)
	}
	return mac
}

// TestPXEImageChecks: mkinitramfs pxelinux holds a real image against the installed kernel and
// the root. An NFS-only image is refused for an AoE root, naming the module and the flag that
// adds it, and nothing is written; the same image passes for an NFS root with the overlay.
func TestPXEImageChecks(t *testing.T) {
	t.Parallel()
	e := env(t)
	img := Mkinitramfs(t, "--nics", "none", "--modules", "virtio_pci,virtio_net", "--roots", "nfs", "--busybox", "none")
	tftp := t.TempDir()
	bin := e.Bin(t, "mkinitramfs")
	cmd := exec.Command(bin, "pxelinux", "--tftp-root", tftp, "--kernel", e.Kernel, "--initrd", img, "--root", "aoe:e7.1")
	out, err := cmd.CombinedOutput()
	want := fmt.Sprintf("mkinitramfs: pxelinux: --initrd %q has no module for \"aoe\", which APPEND root=aoe:e7.1 needs at boot (kernel %s); rebuild the image with --roots including aoe (or --roots all)\n", img, e.KVer)
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 || string(out) != want {
		t.Errorf("pxelinux for an AoE root with an NFS-only image: %v, output %q\nwant exit 1 and %q", err, out, want)
	}
	if ents, _ := os.ReadDir(tftp); len(ents) != 0 {
		t.Errorf("the refused command wrote into the TFTP root: %v", ents)
	}
	out2 := run(t, bin, "pxelinux", "--tftp-root", tftp, "--kernel", e.Kernel, "--initrd", img, "--root", "nfs:10.99.0.1:/export", "--overlay")
	if strings.Contains(out2, "note:") || !strings.Contains(out2, "APPEND root=nfs:10.99.0.1:/export rd.overlay\n") {
		t.Errorf("pxelinux for an NFS root with the NFS-only image:\n%s", out2)
	}
	t.Logf("refused: %s", out)
}
