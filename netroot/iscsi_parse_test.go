package netroot

import (
	"reflect"
	"strings"
	"testing"
)

const tIQN = "iqn.2025-01.com.example:root"

func TestParseISCSI(t *testing.T) {
	base := func(mod func(r *ISCSIRoot)) *ISCSIRoot {
		r := &ISCSIRoot{Server: "10.99.0.1", Port: 3260, LUN: ISCSIAnyLUN, Target: tIQN, ReadOnly: true}
		if mod != nil {
			mod(r)
		}
		return r
	}
	tests := []struct {
		line string
		want *ISCSIRoot
	}{
		{"root=iscsi:10.99.0.1::::" + tIQN, base(nil)},
		{"root=iscsi:10.99.0.1:6:3261:1:" + tIQN, base(func(r *ISCSIRoot) { r.Port = 3261; r.LUN = 1 })},
		{"root=iscsi:10.99.0.1:::a:" + tIQN, base(func(r *ISCSIRoot) { r.LUN = 10 })}, // RFC 4173: hex
		{"root=iscsi:10.99.0.1:::0000-0000-0000-0010:" + tIQN, base(func(r *ISCSIRoot) { r.LUN = 16 })},
		{"root=iscsi:[fd00::1]::::" + tIQN, base(func(r *ISCSIRoot) { r.Server = "fd00::1" })},
		{"root=iscsi:[fd00::1]::3262:2:" + tIQN, base(func(r *ISCSIRoot) { r.Server = "fd00::1"; r.Port = 3262; r.LUN = 2 })},
		{"root=iscsi:san.example.com::::" + tIQN, base(func(r *ISCSIRoot) { r.Server = "san.example.com" })},
		{"root=iscsi:::::" + tIQN, base(func(r *ISCSIRoot) { r.Server = "" })},
		{"root=iscsi:10.99.0.1::::", base(func(r *ISCSIRoot) { r.Target = "" })},
		{"root=iscsi:u:p@10.99.0.1::::" + tIQN, base(func(r *ISCSIRoot) { r.Auth = ISCSICredentials{Username: "u", Password: "p"} })},
		{"root=iscsi:u:p:ru:rp@10.99.0.1::::" + tIQN, base(func(r *ISCSIRoot) {
			r.Auth = ISCSICredentials{Username: "u", Password: "p", InUsername: "ru", InPassword: "rp"}
		})},
		{"root=iscsi:u:p@ss@10.99.0.1::::" + tIQN, nil}, // the last '@' splits: "p@ss" is the password
		{"root=iscsi:10.99.0.1::::" + tIQN + " rd.iscsi.username=a rd.iscsi.password=b rd.iscsi.in.username=c rd.iscsi.in.password=d",
			base(func(r *ISCSIRoot) { r.Auth = ISCSICredentials{"a", "b", "c", "d"} })},
		{"root=iscsi:u:p@10.99.0.1::::" + tIQN + " rd.iscsi.username=a rd.iscsi.password=b",
			base(func(r *ISCSIRoot) { r.Auth = ISCSICredentials{Username: "u", Password: "p"} })},
		{"root=iscsi rd.iscsi.target.ip=10.99.0.1 rd.iscsi.target.name=" + tIQN, base(nil)},
		{"root=iscsi rd.iscsi.target.ip=[fd00::2] rd.iscsi.target.port=3300", base(func(r *ISCSIRoot) { r.Server = "fd00::2"; r.Port = 3300; r.Target = "" })},
		{"netroot=iscsi:10.99.0.1::::" + tIQN + " root=LABEL=rootfs rw", base(func(r *ISCSIRoot) {
			r.Block = &RootSpec{Key: "LABEL", Value: "rootfs", Raw: "LABEL=rootfs"}
			r.ReadOnly = false
		})},
		{"rd.iscsi.target.ip=10.99.0.1 rd.iscsi.target.name=" + tIQN + " root=/dev/sda1", base(func(r *ISCSIRoot) {
			r.Block = &RootSpec{Value: "sda1", Raw: "/dev/sda1"}
		})},
		{"root=iscsi:10.99.0.1::::" + tIQN + " rd.iscsi.initiator=iqn.2025-01.com.example:node7 rootfstype=ext4 rootflags=noatime,ro",
			base(func(r *ISCSIRoot) {
				r.Initiator = "iqn.2025-01.com.example:node7"
				r.FSType = "ext4"
				r.Options = "noatime"
			})},
	}
	for _, tt := range tests {
		got, ok, err := ParseISCSI(ipCmd(tt.line))
		if tt.want == nil { // password with '@'
			if err != nil || got.Auth.Password != "p@ss" {
				t.Errorf("ParseISCSI(%q) = %+v, %v; want the password p@ss", tt.line, got, err)
			}
			continue
		}
		if err != nil || !ok {
			t.Errorf("ParseISCSI(%q): ok %v, error %v", tt.line, ok, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseISCSI(%q)\n got %+v\nwant %+v", tt.line, got, tt.want)
		}
	}
}

func TestParseISCSIErrors(t *testing.T) {
	const form = "; expected iscsi:[<user>:<password>[:<target-user>:<target-password>]@]<server>:[<proto>]:[<port>]:[<lun>]:[<target-iqn>]"
	tests := []struct{ line, want string }{
		{"root=iscsi:10.99.0.1", `cmdline: root="iscsi:10.99.0.1": missing the ':'-separated fields after the server` + form},
		{"root=iscsi:10.99.0.1:::", `cmdline: root="iscsi:10.99.0.1:::": 4 of the 5 ':'-separated fields after "iscsi:"` + form},
		{"root=iscsi:10.99.0.1:17:::" + tIQN, `cmdline: root="iscsi:10.99.0.1:17:::` + tIQN + `": protocol "17" is not 6 (TCP), the only one iSCSI uses` + form},
		{"root=iscsi:10.99.0.1::x::" + tIQN, `cmdline: root="iscsi:10.99.0.1::x::` + tIQN + `": port "x" is not a number` + form},
		{"root=iscsi:10.99.0.1::70000::" + tIQN, `cmdline: root="iscsi:10.99.0.1::70000::` + tIQN + `": port 70000 is out of range 1-65535` + form},
		{"root=iscsi:10.99.0.1:::g:" + tIQN, `cmdline: root="iscsi:10.99.0.1:::g:` + tIQN + `": LUN "g" is not hexadecimal` + form},
		{"root=iscsi:10.99.0.1:::1000000000000:" + tIQN, `cmdline: root="iscsi:10.99.0.1:::1000000000000:` + tIQN + `": LUN "1000000000000" is out of range (at most ffffffffffff)` + form},
		{"root=iscsi:10.99.0.1::::target", `cmdline: root="iscsi:10.99.0.1::::target": iSCSI name "target" does not start with iqn., eui. or naa.` + form},
		{"root=iscsi:10.99.0.1::::iqn.a_b", `cmdline: root="iscsi:10.99.0.1::::iqn.a_b": iSCSI name "iqn.a_b" holds '_' (allowed: letters, digits, '.', '-', ':')` + form},
		{"root=iscsi:[fd00::1::::" + tIQN, `cmdline: root="iscsi:[fd00::1::::` + tIQN + `": missing ']' after the IPv6 server` + form},
		{"root=iscsi:[10.0.0.1]::::" + tIQN, `cmdline: root="iscsi:[10.0.0.1]::::` + tIQN + `": [10.0.0.1] is not an IPv6 address` + form},
		{"root=iscsi:[fd00::1]x::::" + tIQN, `cmdline: root="iscsi:[fd00::1]x::::` + tIQN + `": unexpected "x::::` + tIQN + `" after the server` + form},
		// Credentials never appear in the message.
		{"root=iscsi:user:secret1:x@10.99.0.1::::" + tIQN, `cmdline: root="iscsi:<hidden>@10.99.0.1::::` + tIQN + `": the credentials before '@' have 3 ':'-separated fields, want 2 (user:password) or 4 (user:password:target-user:target-password)` + form},
		{"root=iscsi::secret1@10.99.0.1::::" + tIQN, `cmdline: root="iscsi:<hidden>@10.99.0.1::::` + tIQN + `": empty CHAP user or password before '@'` + form},
		{"root=iscsi:u:p::secret2@10.99.0.1::::" + tIQN, `cmdline: root="iscsi:<hidden>@10.99.0.1::::` + tIQN + `": empty target CHAP user or password before '@'` + form},
		{"root=iscsi:10.99.0.1::::" + tIQN + " rd.iscsi.target.port=0", ""}, // root= has the default port: rd.iscsi.target.port applies
		{"root=iscsi rd.iscsi.target.port=abc", `cmdline: rd.iscsi.target.port="abc": expected a port 1-65535`},
		{"root=iscsi rd.iscsi.target.ip=not/an/ip", `cmdline: rd.iscsi.target.ip="not/an/ip": expected an IP address or host name`},
		{"root=iscsi rd.iscsi.target.name=foo", `cmdline: rd.iscsi.target.name="foo": iSCSI name "foo" does not start with iqn., eui. or naa.; expected e.g. iqn.2001-04.com.example:storage`},
		{"root=iscsi rd.iscsi.initiator=me", `cmdline: rd.iscsi.initiator="me": iSCSI name "me" does not start with iqn., eui. or naa.; expected e.g. iqn.2001-04.com.example:client`},
		{"netroot=iscsi:10.99.0.1::::" + tIQN + " root=sda1", `cmdline: root="sda1": expected /dev/<name>, UUID=<uuid>, LABEL=<label>, PARTUUID=<uuid> or PARTLABEL=<label> (with netroot=iscsi:…, root= names the filesystem on the iSCSI disk)`},
		{"root=iscsi:1.2.3.4::::" + tIQN + " netroot=nbd:x:y", `cmdline: netroot="nbd:x:y" with root="iscsi:1.2.3.4::::` + tIQN + `": expected netroot=iscsi:[<user>:<password>[:<target-user>:<target-password>]@]<server>:[<proto>]:[<port>]:[<lun>]:[<target-iqn>]`},
	}
	for _, tt := range tests {
		_, ok, err := ParseISCSI(ipCmd(tt.line))
		if tt.want == "" {
			if err == nil || !strings.Contains(err.Error(), "rd.iscsi.target.port") {
				t.Errorf("ParseISCSI(%q) error %v, want one about rd.iscsi.target.port", tt.line, err)
			}
			continue
		}
		if !ok || err == nil || err.Error() != tt.want {
			t.Errorf("ParseISCSI(%q): ok %v\n got %v\nwant %s", tt.line, ok, err, tt.want)
		}
	}
}

func TestParseISCSINotISCSI(t *testing.T) {
	for _, line := range []string{"root=/dev/sda1", "root=nbd:10.0.0.1:root", "root=dhcp", "nbdroot=1.2.3.4/x rd.iscsi.target.ip=1.2.3.4", "root=nfs:1.2.3.4:/x rd.iscsi.target.ip=1.2.3.4"} {
		if r, ok, err := ParseISCSI(ipCmd(line)); ok || err != nil || r != nil {
			t.Errorf("ParseISCSI(%q) = %v, %v, %v; want not iSCSI", line, r, ok, err)
		}
	}
}

func TestParseISCSIRootPath(t *testing.T) {
	r, err := ParseISCSIRootPath(ipCmd("rd.iscsi.initiator=iqn.2025-01.x:y"), "iscsi:10.99.0.1::::"+tIQN)
	if err != nil || r.Server != "10.99.0.1" || r.Target != tIQN || r.Initiator != "iqn.2025-01.x:y" {
		t.Errorf("ParseISCSIRootPath = %+v, %v", r, err)
	}
	_, err = ParseISCSIRootPath(ipCmd(""), "iscsi:a:secret9@10.99.0.1")
	want := `dhcp: root-path "iscsi:<hidden>@10.99.0.1": missing the ':'-separated fields after the server; expected ` + iscsiRootForm
	if err == nil || err.Error() != want {
		t.Errorf("ParseISCSIRootPath error\n got %v\nwant %s", err, want)
	}
}

func TestISCSIRootString(t *testing.T) {
	tests := []struct {
		r    ISCSIRoot
		want string
	}{
		{ISCSIRoot{Server: "10.99.0.1", Port: 3260, LUN: 1, Target: tIQN, Auth: ISCSICredentials{"u", "secret", "", ""}},
			`iscsi 10.99.0.1:3260 target "` + tIQN + `" lun 1`},
		{ISCSIRoot{Server: "fd00::1", Port: 3260, LUN: ISCSIAnyLUN}, `iscsi [fd00::1]:3260 (target by discovery)`},
		{ISCSIRoot{Port: 3261, LUN: ISCSIAnyLUN, Target: tIQN}, `iscsi (DHCP server):3261 target "` + tIQN + `"`},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestDefaultISCSIInitiator(t *testing.T) {
	if got, want := DefaultISCSIInitiator("52:54:00:0B:10:C1"), "iqn.2025-01.io.github.goinit:52-54-00-0b-10-c1"; got != want {
		t.Errorf("DefaultISCSIInitiator = %q, want %q", got, want)
	}
	if got := DefaultISCSIInitiator(""); checkISCSIName(got) != "" {
		t.Errorf("DefaultISCSIInitiator(\"\") = %q is not a valid name", got)
	}
}

func TestISCSICredentialsCheck(t *testing.T) {
	tests := []struct {
		c    ISCSICredentials
		want string
	}{
		{ISCSICredentials{}, ""},
		{ISCSICredentials{"u", "p", "", ""}, ""},
		{ISCSICredentials{"u", "p", "r", "q"}, ""},
		{ISCSICredentials{"u", "", "", ""}, `CHAP user "u" has no password (rd.iscsi.password= or the embedded secrets file)`},
		{ISCSICredentials{"", "secret", "", ""}, `a CHAP password without a user (rd.iscsi.username= or the embedded secrets file)`},
		{ISCSICredentials{"u", "p", "r", ""}, `target CHAP user "r" has no password (rd.iscsi.in.password= or the embedded secrets file)`},
		{ISCSICredentials{"u", "p", "", "secret"}, `a target CHAP password without a user (rd.iscsi.in.username= or the embedded secrets file)`},
		{ISCSICredentials{"", "", "r", "q"}, `mutual CHAP needs the initiator's own CHAP user and password too`},
	}
	for _, tt := range tests {
		err := tt.c.check()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("check(%+v) = %q, want %q", tt.c, got, tt.want)
		}
	}
}
