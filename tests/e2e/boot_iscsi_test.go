//go:build e2e

package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

const iscsiIQN = "iqn.2025-01.test.goinit:root"

// The CHAP secrets of the tests: at least 12 characters, as tgt and RFC 7143 want.
const (
	iscsiUser      = "node7"
	iscsiSecret    = "Sesame-Open-4711"
	iscsiOutUser   = "san1"
	iscsiOutSecret = "Target-Proof-0815"
	iscsiWrong     = "Wrong-Guess-9999"
)

// bootISCSI boots the iSCSI image (with secretsFile embedded when not "") with params and a
// static address.
func bootISCSI(t *testing.T, lab *Lab, secretsFile string, params ...string) *VM {
	t.Helper()
	return Boot(t, VMConfig{
		Initrd:   iscsiInitramfs(t, secretsFile),
		NetNS:    lab.NS,
		QEMUArgs: lab.NIC(0, "virtio-net-pci", blockNetMAC),
		Append:   "panic=10 " + nbdStaticIP + " " + strings.Join(params, " "),
	})
}

// TestISCSIRoot boots an ext4 image that tgtd serves, without authentication, with one-way CHAP
// and mutual CHAP on the command line, with CHAP from the embedded secrets file (target found
// by discovery, no secret on the command line), and with the overlay. The canary reads an 8 MiB
// file back through /dev/sda after the switch.
func TestISCSIRoot(t *testing.T) {
	t.Parallel()
	id, idCheck := IDFile(t)
	big, bigCheck := RandomFile(t, "/big.bin", bigFileSize)
	ext4 := (&Ext4{}).Make(t, RootTree(t, id, big))
	secretsFile := writeSecrets(t, "# test\nusername="+iscsiUser+"\npassword="+iscsiSecret+"\n")
	tests := []struct {
		name    string
		target  ISCSITarget
		secrets string
		params  []string
		overlay bool
		hidden  string // a secret that must not reach the console
	}{
		{name: "no_auth", target: ISCSITarget{}, params: []string{"root=iscsi:10.99.0.1::::" + iscsiIQN}},
		{name: "chap_cmdline", target: ISCSITarget{User: iscsiUser, Password: iscsiSecret},
			params: []string{"root=iscsi:" + iscsiUser + ":" + iscsiSecret + "@10.99.0.1::3260:1:" + iscsiIQN}},
		{name: "mutual_chap", target: ISCSITarget{User: iscsiUser, Password: iscsiSecret, OutUser: iscsiOutUser, OutPassword: iscsiOutSecret},
			params: []string{"root=iscsi:10.99.0.1:6::1:" + iscsiIQN, "rd.iscsi.username=" + iscsiUser, "rd.iscsi.password=" + iscsiSecret,
				"rd.iscsi.in.username=" + iscsiOutUser, "rd.iscsi.in.password=" + iscsiOutSecret}},
		{name: "chap_secrets_file_discovery", target: ISCSITarget{User: iscsiUser, Password: iscsiSecret}, secrets: secretsFile,
			params: []string{"root=iscsi:10.99.0.1::::"}, hidden: iscsiSecret},
		{name: "overlay", target: ISCSITarget{}, params: []string{"netroot=iscsi:10.99.0.1::::" + iscsiIQN, "root=/dev/sda", "rd.overlay"}, overlay: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lab := NewLab(t, 1)
			tg := tt.target
			tg.IQN, tg.Img = iscsiIQN, ext4
			StartTgtd(t, lab, tg)
			vm := bootISCSI(t, lab, tt.secrets, append(tt.params, idCheck, bigCheck)...)
			if tt.overlay {
				c := vm.WaitCanary(bootWait)
				if c.Root != "rw" || c.FSType != "overlay" {
					t.Errorf("canary root=%s fstype=%s, want rw overlay", c.Root, c.FSType)
				}
				for _, ch := range []string{"/etc/goinit-test-id", "/big.bin"} {
					if status, detail := vm.Check("sha256", ch, bootWait); status != "ok" {
						t.Errorf("canary check sha256 %s: %s %s", ch, status, detail)
					}
				}
				vm.WaitPowerOff(bootWait)
			} else {
				checkBlockRoot(t, vm, "ext4", "/dev/sda", idCheck, bigCheck)
			}
			for _, l := range vm.Seen(`goinit: (iscsi|attach iscsi)`) {
				t.Logf("console: %s", l)
			}
			if tt.hidden != "" {
				if got := vm.Seen(regexp.QuoteMeta(tt.hidden)); len(got) != 0 {
					t.Errorf("the secret reached the console: %q", got)
				}
			}
		})
	}
}

// TestISCSIWrongPassword: a wrong CHAP secret from the embedded file fails at once with "CHAP
// authentication failed for target", and neither the wrong nor the right secret is on the console.
func TestISCSIWrongPassword(t *testing.T) {
	t.Parallel()
	ext4 := (&Ext4{SizeMB: 16}).Make(t, RootTree(t))
	lab := NewLab(t, 1)
	StartTgtd(t, lab, ISCSITarget{IQN: iscsiIQN, Img: ext4, User: iscsiUser, Password: iscsiSecret})
	secretsFile := writeSecrets(t, "username="+iscsiUser+"\npassword="+iscsiWrong+"\n")
	vm := bootISCSI(t, lab, secretsFile, "root=iscsi:10.99.0.1::::"+iscsiIQN, "rd.retry=60", "panic=2")
	vm.WaitFor(kernelRunsInit, bootWait)
	line := vm.WaitForUser(`error: .*CHAP authentication failed for target`, 60*time.Second)
	t.Logf("goinit: %s", line)
	if !strings.Contains(line, iscsiIQN) {
		t.Errorf("the error does not name the target %s: %q", iscsiIQN, line)
	}
	expectRebootWithoutCanary(t, vm, 30*time.Second)
	for _, s := range []string{iscsiWrong, iscsiSecret} {
		if got := vm.Seen(regexp.QuoteMeta(s)); len(got) != 0 {
			t.Errorf("a secret reached the console: %q", got)
		}
	}
}

// TestISCSIUnknownTarget: a target the portal does not have fails with the list discovery offers.
func TestISCSIUnknownTarget(t *testing.T) {
	t.Parallel()
	ext4 := (&Ext4{SizeMB: 16}).Make(t, RootTree(t))
	lab := NewLab(t, 1)
	StartTgtd(t, lab, ISCSITarget{IQN: iscsiIQN, Img: ext4})
	vm := bootISCSI(t, lab, "", "root=iscsi:10.99.0.1::::iqn.2025-01.test.goinit:nosuch", "rd.retry=30", "panic=2")
	vm.WaitFor(kernelRunsInit, bootWait)
	line := vm.WaitForUser(`error: .*nosuch`, 60*time.Second)
	t.Logf("goinit: %s", line)
	if !strings.Contains(line, "not found") {
		t.Errorf("the error does not say the target was not found: %q", line)
	}
	if _, err := vm.Find(regexp.QuoteMeta(`offers: "`+iscsiIQN+`"`), 10*time.Second); err != nil {
		t.Errorf("the console does not list the target discovery offered (%s): %v", iscsiIQN, err)
	}
	expectRebootWithoutCanary(t, vm, 30*time.Second)
}
