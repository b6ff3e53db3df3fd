//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// ISCSIPort is where tgtd listens (the IANA port).
const ISCSIPort = 3260

// ISCSITarget is one target tgtd serves: LUN 1 is the image (LUN 0 is tgt's controller).
// User/Password, when set, require one-way CHAP; OutUser/OutPassword make it mutual (the
// target's own credentials, which the initiator checks).
type ISCSITarget struct {
	IQN                  string
	Img                  string
	User, Password       string
	OutUser, OutPassword string
}

// tgtControlPort numbers tgtd's management socket per lab (/var/run/tgtd/socket.N is shared by
// every namespace), so parallel tests do not talk to each other's daemon.
var tgtControlPort atomic.Int32

// StartTgtd runs tgtd in the lab on the server address and configures the targets with tgtadm.
func StartTgtd(t testing.TB, lab *Lab, targets ...ISCSITarget) *Proc {
	t.Helper()
	tgtd := Tool(t, "tgtd", "tgt")
	tgtadm := Tool(t, "tgtadm", "tgt")
	ctl := strconv.Itoa(int(2000 + os.Getpid()%20000 + int(tgtControlPort.Add(1))))
	if err := os.MkdirAll("/var/run/tgtd", 0o755); err != nil {
		t.Fatalf("start tgtd: %v", err)
	}
	portal := fmt.Sprintf("%s:%d", lab.ServerIP, ISCSIPort)
	p := lab.Start(t, "tgtd", tgtd, "-f", "-C", ctl, "--iscsi", "portal="+portal)
	lab.WaitTCP(t, p, portal, 10*time.Second)
	adm := func(args ...string) {
		t.Helper()
		lab.Exec(t, append([]string{tgtadm, "-C", ctl, "--lld", "iscsi"}, args...)...)
	}
	for i, tg := range targets {
		tid := strconv.Itoa(i + 1)
		adm("--mode", "target", "--op", "new", "--tid", tid, "--targetname", tg.IQN)
		adm("--mode", "logicalunit", "--op", "new", "--tid", tid, "--lun", "1", "--backing-store", tg.Img)
		adm("--mode", "logicalunit", "--op", "update", "--tid", tid, "--lun", "1", "--params", "readonly=1")
		adm("--mode", "target", "--op", "bind", "--tid", tid, "-I", "ALL")
		if tg.User != "" {
			adm("--mode", "account", "--op", "new", "--user", tg.User, "--password", tg.Password)
			adm("--mode", "account", "--op", "bind", "--tid", tid, "--user", tg.User)
		}
		if tg.OutUser != "" {
			adm("--mode", "account", "--op", "new", "--user", tg.OutUser, "--password", tg.OutPassword)
			adm("--mode", "account", "--op", "bind", "--tid", tid, "--user", tg.OutUser, "--outgoing")
		}
	}
	out := lab.Exec(t, tgtadm, "-C", ctl, "--lld", "iscsi", "--mode", "target", "--op", "show")
	os.WriteFile(filepath.Join(lab.Dir, "tgtadm-show.log"), []byte(out), 0o644) //nolint:errcheck // only helps a failure
	t.Logf("lab: tgtd on %s (control port %s) with %d target(s)", portal, ctl, len(targets))
	return p
}

// iscsiInitramfs is the network image with virtio-net, plus the secrets file when not "".
func iscsiInitramfs(t testing.TB, secretsFile string) string {
	t.Helper()
	args := []string{"--nics", "none", "--modules", "virtio_pci,virtio_net", "--busybox", "none"}
	if secretsFile != "" {
		args = append(args, "--iscsi-secrets", secretsFile)
	}
	return Mkinitramfs(t, args...)
}

// writeSecrets writes a secrets file (mode 0600) for mkinitramfs --iscsi-secrets.
func writeSecrets(t testing.TB, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "iscsi-secrets")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatalf("write secrets: %v", err)
	}
	return p
}
