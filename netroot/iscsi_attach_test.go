package netroot

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// iscsiFakeSys lays out what the kernel shows after a scan of scsi host2: LUN 0 a controller,
// LUN 1 a disk sda, and /dev/sda with one readable sector.
func iscsiFakeSys(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"sys/class/scsi_host/host2", "sys/bus/scsi/devices/2:0:0:0", "sys/bus/scsi/devices/2:0:0:1/block/sda", "sys/class/block/sda", "dev"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"sys/class/scsi_host/host2/scan":    "",
		"sys/bus/scsi/devices/2:0:0:0/type": "12\n",
		"sys/bus/scsi/devices/2:0:0:1/type": "0\n",
		"dev/sda":                           strings.Repeat("\x00", 512),
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(root, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// iscsiTestPortal serves f on a loopback port.
func iscsiTestPortal(t *testing.T, f *fakeTarget) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.serve(c)
		}
	}()
	return ln.Addr().String()
}

func TestISCSIAttach(t *testing.T) {
	const target = "iqn.2025-01.test:disk"
	f := &fakeTarget{targets: []string{target}, user: "node7", secret: "Sesame-Open-4711",
		opKeys: []iscsiKV{{"MaxRecvDataSegmentLength", "65536"}}}
	addr := iscsiTestPortal(t, f)
	host, port, _ := net.SplitHostPort(addr)
	root := iscsiFakeSys(t)
	secretsFile := filepath.Join(t.TempDir(), "iscsi")
	os.WriteFile(secretsFile, []byte("username=node7\npassword=Sesame-Open-4711\n"), 0o600) //nolint:errcheck
	var logs []string
	env := Env{SysRoot: root, DevRoot: root, Logf: func(format string, args ...any) {
		logs = append(logs, strings.TrimSpace(strings.ReplaceAll(format, "%", "")))
	}}
	tests := []struct {
		name string
		line string
		want Mount
		err  string
	}{
		{name: "discovery, any LUN, secrets file", line: "root=iscsi:" + host + "::" + port + "::",
			want: Mount{Source: "/dev/sda", Flags: nbdMSRdonly}},
		{name: "LUN 1 rw ext4", line: "root=iscsi:" + host + "::" + port + ":1:" + target + " rw rootfstype=ext4",
			want: Mount{Source: "/dev/sda", FSType: "ext4"}},
		{name: "LUN 3 missing", line: "root=iscsi:" + host + "::" + port + ":3:" + target + " rd.retry=1",
			err: `attach iscsi ` + addr + ` target "` + target + `" lun 3: target "` + target + `": LUN 3 not present on scsi host2 within 1.5s; the target presents: LUN 0 (SCSI type 12), LUN 1 (SCSI type 0, /dev/sda)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok, err := ParseISCSI(ipCmd(tt.line))
			if !ok || err != nil {
				t.Fatalf("parse: %v", err)
			}
			a := NewISCSI(*r, env).(*iscsiAttacher)
			a.secretsPath = secretsFile
			var got iscsiKernelRequest
			a.kernel = func(sysRoot string, req iscsiKernelRequest) (iscsiKernelSession, error) {
				got = req
				return iscsiKernelSession{SID: 1, HostNo: 2}, nil
			}
			ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
			defer cancel()
			m, err := a.Attach(ctx)
			if tt.err != "" {
				if err == nil || regexp.MustCompile(`within [0-9.]+m?s;`).ReplaceAllString(err.Error(), "within 1.5s;") != tt.err {
					t.Fatalf("error\n got %v\nwant %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Source != tt.want.Source || m.FSType != tt.want.FSType || m.Flags != tt.want.Flags {
				t.Errorf("mount %+v, want %+v", m, tt.want)
			}
			if got.Target != target || got.Params.MaxXmitDSL != 65536 || got.TPGT != 1 || got.Address != host ||
				got.Initiator != DefaultISCSIInitiator("") || got.InitialCmdSN != 42 {
				t.Errorf("kernel request %+v", got)
			}
			scan, _ := os.ReadFile(filepath.Join(root, "sys/class/scsi_host/host2/scan"))
			if want := map[bool]string{true: "- - -", false: "0 0 1"}[r.LUN == ISCSIAnyLUN]; string(scan) != want {
				t.Errorf("scan wrote %q, want %q", scan, want)
			}
		})
	}
	for _, l := range logs {
		if strings.Contains(l, "Sesame") {
			t.Errorf("a log line shows the secret: %s", l)
		}
	}
}

func TestISCSIAttachPortalDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	host, port, _ := net.SplitHostPort(addr)
	r, _, _ := ParseISCSI(ipCmd("root=iscsi:" + host + "::" + port + "::iqn.2025-01.test:disk"))
	a := NewISCSI(*r, Env{SysRoot: t.TempDir()}).(*iscsiAttacher)
	a.backoffMin, a.backoffMax = 10*time.Millisecond, 20*time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = a.Attach(ctx)
	want := `attach iscsi ` + addr + ` target "iqn.2025-01.test:disk": portal ` + addr + ` unreachable: dial tcp ` + addr + `: connect: connection refused (gave up at the deadline after `
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error\n got %v\nwant %s…", err, want)
	}
}
