package boot

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// defaults is what ParseCmdline gives for an empty command line, for tests to change.
func defaults() Params {
	return Params{Retry: DefaultRetry, Panic: DefaultPanic, ModuleParams: map[string][]string{}}
}

func TestParseCmdlineSettings(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want func(p *Params) // applied to defaults(); Args and InitArgs are not compared
	}{
		{"empty", "", func(p *Params) {}},
		{"unknown parameters are ignored", "quiet console=ttyS0 ip=dhcp BOOT_IMAGE=/vmlinuz", func(p *Params) {}},
		{"root device", "root=/dev/vda1", func(p *Params) { p.Root = "/dev/vda1" }},
		{"root by-id path", "root=/dev/disk/by-id/virtio-abc-part1", func(p *Params) { p.Root = "/dev/disk/by-id/virtio-abc-part1" }},
		{"root UUID", "root=UUID=0a3407de-014b", func(p *Params) { p.Root = "UUID=0a3407de-014b" }},
		{"root LABEL with space", `root="LABEL=my root"`, func(p *Params) { p.Root = "LABEL=my root" }},
		{"root PARTUUID", "root=PARTUUID=6c6d2c4a-01", func(p *Params) { p.Root = "PARTUUID=6c6d2c4a-01" }},
		{"root PARTLABEL", "root=PARTLABEL=root", func(p *Params) { p.Root = "PARTLABEL=root" }},
		{"network root left as written", "root=nfs:10.0.0.1:/srv/root:vers=3", func(p *Params) { p.Root = "nfs:10.0.0.1:/srv/root:vers=3" }},
		{"seed nfs root", "nfsroot=192.168.1.1:/fs/nfs/puppy,ro,nolock root=/dev/nfs", func(p *Params) { p.Root = "/dev/nfs" }},
		{"last root wins", "root=/dev/sda1 root=/dev/vda2", func(p *Params) { p.Root = "/dev/vda2" }},
		{"later root repairs an earlier bad one", "root= root=/dev/vda", func(p *Params) { p.Root = "/dev/vda" }},
		{"rootfstype and rootflags", "rootfstype=ext4 rootflags=noatime,discard", func(p *Params) {
			p.RootFSType, p.RootFlags = "ext4", "noatime,discard"
		}},
		{"rootfstype with dot", "rootfstype=fuse.sshfs", func(p *Params) { p.RootFSType = "fuse.sshfs" }},
		{"empty rootflags", "rootflags=", func(p *Params) {}},
		{"rw", "rw", func(p *Params) { p.RW = true }},
		{"last of ro and rw wins", "rw ro", func(p *Params) {}},
		{"ro then rw", "ro rw", func(p *Params) { p.RW = true }},
		{"rw with a value is ignored", "rw=1", func(p *Params) {}},
		{"init", "init=/bin/sh", func(p *Params) { p.Init = "/bin/sh" }},
		{"retry seconds", "rd.retry=30", func(p *Params) { p.Retry = 30 * time.Second }},
		{"retry decimal", "rd.retry=2.5", func(p *Params) { p.Retry = 2500 * time.Millisecond }},
		{"retry nanoseconds", "rd.retry=0.0000000019", func(p *Params) { p.Retry = 1 }},
		{"retry leading zeros", "rd.retry=0005", func(p *Params) { p.Retry = 5 * time.Second }},
		{"retry maximum", "rd.retry=999999999", func(p *Params) { p.Retry = 999999999 * time.Second }},
		{"panic", "panic=30", func(p *Params) { p.Panic = 30 }},
		{"panic negative", "panic=-1", func(p *Params) { p.Panic = -1 }},
		{"panic zero", "panic=0", func(p *Params) { p.Panic = 0 }},
		{"shell alone", "rd.shell", func(p *Params) { p.Shell = true }},
		{"shell=1", "rd.shell=1", func(p *Params) { p.Shell = true }},
		{"shell=0 after shell", "rd.shell rd.shell=0", func(p *Params) {}},
		{"INIT_DEBUG=1", "INIT_DEBUG=1", func(p *Params) {
			p.Debug, p.Shell, p.Breaks = true, true, []string{BreakPreSwitch}
		}},
		{"INIT_DEBUG any non-empty value as in the seed", "INIT_DEBUG=yes", func(p *Params) {
			p.Debug, p.Shell, p.Breaks = true, true, []string{BreakPreSwitch}
		}},
		{"INIT_DEBUG=0", "INIT_DEBUG=0", func(p *Params) {}},
		{"INIT_DEBUG empty", "INIT_DEBUG=", func(p *Params) {}},
		{"INIT_DEBUG last wins", "INIT_DEBUG=1 INIT_DEBUG=0", func(p *Params) {}},
		{"rd.debug", "rd.debug", func(p *Params) { p.Debug = true }},
		{"rd.debug=0", "rd.debug rd.debug=0", func(p *Params) {}},
		{"goinit.log=debug", "goinit.log=debug", func(p *Params) { p.Debug = true }},
		{"goinit.log=info", "goinit.log=debug goinit.log=info", func(p *Params) {}},
		{"break alone", "rd.break", func(p *Params) { p.Breaks = []string{BreakDefault} }},
		{"break empty value", "rd.break=", func(p *Params) { p.Breaks = []string{BreakDefault} }},
		{"breaks repeat and list", "rd.break=pre-mount rd.break=pre-network,pre-overlay rd.break=pre-mount", func(p *Params) {
			p.Breaks = []string{BreakPreMount, BreakPreNetwork, BreakPreOverlay}
		}},
		{"INIT_DEBUG adds pre-switch once", "rd.break=pre-switch INIT_DEBUG=1", func(p *Params) {
			p.Debug, p.Shell, p.Breaks = true, true, []string{BreakPreSwitch}
		}},
		{"pivot", "goinit.pivot=1", func(p *Params) { p.Pivot = true }},
		{"pivot off", "goinit.pivot goinit.pivot=0", func(p *Params) {}},
		{"AUFS=1", "AUFS=1", func(p *Params) { p.Overlay = OverlayTmpfs }},
		{"AUFS=0", "AUFS=0", func(p *Params) {}},
		{"rd.overlay", "rd.overlay", func(p *Params) { p.Overlay = OverlayTmpfs }},
		{"rd.overlay=tmpfs", "rd.overlay=tmpfs", func(p *Params) { p.Overlay = OverlayTmpfs }},
		{"rd.overlay size", "rd.overlay=tmpfs:size=512m", func(p *Params) { p.Overlay = "tmpfs:size=512m" }},
		{"rd.overlay percent", "rd.overlay=tmpfs:size=50%", func(p *Params) { p.Overlay = "tmpfs:size=50%" }},
		{"rd.overlay bytes", "rd.overlay=tmpfs:size=1048576", func(p *Params) { p.Overlay = "tmpfs:size=1048576" }},
		{"rd.overlay=0 after AUFS=1", "AUFS=1 rd.overlay=0", func(p *Params) {}},
		{"AUFS after rd.overlay size", "rd.overlay=tmpfs:size=1g AUFS=1", func(p *Params) { p.Overlay = OverlayTmpfs }},
		{"module parameters", `aoe.aoe_iflist=eth0 block2mtd.block2mtd=/dev/etherd/e0.0,65536 aoe.aoe_deadsecs=5`, func(p *Params) {
			p.ModuleParams = map[string][]string{
				"aoe":       {"aoe_iflist=eth0", "aoe_deadsecs=5"},
				"block2mtd": {"block2mtd=/dev/etherd/e0.0,65536"},
			}
		}},
		{"module name normalized, value requoted", `virtio-net.napi_tx=1 foo.bar="a b" foo.q="""x" foo.flag`, func(p *Params) {
			p.ModuleParams = map[string][]string{
				"virtio_net": {"napi_tx=1"},
				"foo":        {`bar="a b"`, `q="""x"`, "flag"},
			}
		}},
		{"goinit's own prefixes are not modules", "rd.iscsi.initiator=iqn.x goinit.foo=1 canary.marker=x .x=1 x.=1 a\"b.c=1", func(p *Params) {}},
		{"after -- nothing is read", "root=/dev/vda -- rw init=/x aoe.a=1", func(p *Params) { p.Root = "/dev/vda" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCmdline(tt.in)
			if err != nil {
				t.Fatalf("ParseCmdline(%q): %v", tt.in, err)
			}
			want := defaults()
			tt.want(&want)
			got.Args, got.InitArgs = nil, nil
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("ParseCmdline(%q) =\n%#v\nwant\n%#v", tt.in, *got, want)
			}
		})
	}
}

func TestParseCmdlineKeepsArgs(t *testing.T) {
	p, err := ParseCmdline("root=/dev/vda init=/sbin/canary -- a \"b c\" d=e\n")
	if err != nil {
		t.Fatal(err)
	}
	wantArgs := []Param{kv("root", "/dev/vda"), kv("init", "/sbin/canary")}
	if !reflect.DeepEqual(p.Args, wantArgs) {
		t.Errorf("Args = %#v, want %#v", p.Args, wantArgs)
	}
	if want := []string{"a", "b c", "d=e"}; !reflect.DeepEqual(p.InitArgs, want) {
		t.Errorf("InitArgs = %q, want %q", p.InitArgs, want)
	}
}

func TestParseCmdlineErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"rd.retry=abc", `cmdline: rd.retry="abc": expected a number of seconds, e.g. rd.retry=30`},
		{"rd.retry", `cmdline: rd.retry="": expected a number of seconds, e.g. rd.retry=30`},
		{"rd.retry=1.", `cmdline: rd.retry="1.": expected a number of seconds, e.g. rd.retry=30`},
		{"rd.retry=.5", `cmdline: rd.retry=".5": expected a number of seconds, e.g. rd.retry=30`},
		{"rd.retry=-5", `cmdline: rd.retry="-5": expected a number of seconds, e.g. rd.retry=30`},
		{"rd.retry=90s", `cmdline: rd.retry="90s": expected a number of seconds, e.g. rd.retry=30`},
		{"rd.retry=0", `cmdline: rd.retry="0": expected a number of seconds greater than 0, e.g. rd.retry=30`},
		{"rd.retry=0.0000000001", `cmdline: rd.retry="0.0000000001": expected a number of seconds greater than 0, e.g. rd.retry=30`},
		{"rd.retry=1000000000", `cmdline: rd.retry="1000000000": expected a number of seconds up to 999999999, e.g. rd.retry=30`},
		{"rd.retry=99999999999999999999999", `cmdline: rd.retry="99999999999999999999999": expected a number of seconds up to 999999999, e.g. rd.retry=30`},
		{"root=", `cmdline: root="": expected a root device such as root=/dev/vda1, root=UUID=<uuid> or root=LABEL=<label>, or a network root such as root=nfs:<server>:<path>`},
		{"root", `cmdline: root="": expected a root device such as root=/dev/vda1, root=UUID=<uuid> or root=LABEL=<label>, or a network root such as root=nfs:<server>:<path>`},
		{"root=/dev/", `cmdline: root="/dev/": expected root=/dev/<device name>, e.g. root=/dev/vda1`},
		{"root=/dev", `cmdline: root="/dev": expected root=/dev/<device name>, e.g. root=/dev/vda1`},
		{"root=/dev/vda/", `cmdline: root="/dev/vda/": expected root=/dev/<device name>, e.g. root=/dev/vda1`},
		{"root=/dev/../etc/passwd", `cmdline: root="/dev/../etc/passwd": expected root=/dev/<device name>, e.g. root=/dev/vda1`},
		{`root="/dev/my disk"`, `cmdline: root="/dev/my disk": expected root=/dev/<device name>, e.g. root=/dev/vda1`},
		{"root=/vda1", `cmdline: root="/vda1": expected root=/dev/<device name>, e.g. root=/dev/vda1`},
		{"root=UUID=", `cmdline: root="UUID=": expected root=UUID=<filesystem UUID>, e.g. root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3`},
		{"root=LABEL=", `cmdline: root="LABEL=": expected root=LABEL=<filesystem label>, e.g. root=LABEL=rootfs`},
		{`root="LABEL= "`, `cmdline: root="LABEL= ": expected root=LABEL=<filesystem label>, e.g. root=LABEL=rootfs`},
		{"root=PARTUUID=", `cmdline: root="PARTUUID=": expected root=PARTUUID=<partition UUID>, e.g. root=PARTUUID=6c6d2c4a-01`},
		{"root=PARTLABEL=", `cmdline: root="PARTLABEL=": expected root=PARTLABEL=<partition name>, e.g. root=PARTLABEL=root`},
		{"init=sbin/init", `cmdline: init="sbin/init": expected an absolute path to the real init, e.g. init=/sbin/init`},
		{"init=", `cmdline: init="": expected an absolute path to the real init, e.g. init=/sbin/init`},
		{"init=/sbin/", `cmdline: init="/sbin/": expected an absolute path to the real init, e.g. init=/sbin/init`},
		{"rootfstype=EXT4", `cmdline: rootfstype="EXT4": expected a filesystem type such as ext4, xfs or squashfs (lower-case letters, digits, '_' and '.'), e.g. rootfstype=ext4`},
		{"rootfstype=ext4,xfs", `cmdline: rootfstype="ext4,xfs": expected a filesystem type such as ext4, xfs or squashfs (lower-case letters, digits, '_' and '.'), e.g. rootfstype=ext4`},
		{"rootfstype=", `cmdline: rootfstype="": expected a filesystem type such as ext4, xfs or squashfs (lower-case letters, digits, '_' and '.'), e.g. rootfstype=ext4`},
		{"panic=soon", `cmdline: panic="soon": expected a whole number of seconds, e.g. panic=10 (0 waits forever, a negative number reboots at once)`},
		{"panic=1.5", `cmdline: panic="1.5": expected a whole number of seconds, e.g. panic=10 (0 waits forever, a negative number reboots at once)`},
		{"panic=99999999999", `cmdline: panic="99999999999": expected a whole number of seconds, e.g. panic=10 (0 waits forever, a negative number reboots at once)`},
		{"rd.shell=maybe", `cmdline: rd.shell="maybe": expected rd.shell alone, rd.shell=1 or rd.shell=0`},
		{"rd.shell=", `cmdline: rd.shell="": expected rd.shell alone, rd.shell=1 or rd.shell=0`},
		{"rd.debug=2", `cmdline: rd.debug="2": expected rd.debug alone, rd.debug=1 or rd.debug=0`},
		{`goinit.pivot="yes please"`, `cmdline: goinit.pivot="yes please": expected goinit.pivot alone, goinit.pivot=1 or goinit.pivot=0`},
		{"goinit.log=trace", `cmdline: goinit.log="trace": expected goinit.log=debug or goinit.log=info`},
		{"goinit.log", `cmdline: goinit.log="": expected goinit.log=debug or goinit.log=info`},
		{"rd.break=pre-udev", `cmdline: rd.break="pre-udev": expected rd.break alone or rd.break=<stage>[,<stage>...] with the stages pre-network, pre-mount, pre-overlay, pre-switch`},
		{"rd.break=pre-mount,", `cmdline: rd.break="pre-mount,": expected rd.break alone or rd.break=<stage>[,<stage>...] with the stages pre-network, pre-mount, pre-overlay, pre-switch`},
		{"rd.overlay=ramfs", `cmdline: rd.overlay="ramfs": expected rd.overlay alone, rd.overlay=tmpfs or rd.overlay=tmpfs:size=<size> with a size in bytes, k, m, g or % of RAM, e.g. rd.overlay=tmpfs:size=512m`},
		{"rd.overlay=tmpfs:size=", `cmdline: rd.overlay="tmpfs:size=": expected rd.overlay alone, rd.overlay=tmpfs or rd.overlay=tmpfs:size=<size> with a size in bytes, k, m, g or % of RAM, e.g. rd.overlay=tmpfs:size=512m`},
		{"rd.overlay=tmpfs:size=1x", `cmdline: rd.overlay="tmpfs:size=1x": expected rd.overlay alone, rd.overlay=tmpfs or rd.overlay=tmpfs:size=<size> with a size in bytes, k, m, g or % of RAM, e.g. rd.overlay=tmpfs:size=512m`},
		{"rd.overlay=tmpfs:size=m", `cmdline: rd.overlay="tmpfs:size=m": expected rd.overlay alone, rd.overlay=tmpfs or rd.overlay=tmpfs:size=<size> with a size in bytes, k, m, g or % of RAM, e.g. rd.overlay=tmpfs:size=512m`},
		{"rd.overlay=tmpfs:mode=0755", `cmdline: rd.overlay="tmpfs:mode=0755": expected rd.overlay alone, rd.overlay=tmpfs or rd.overlay=tmpfs:size=<size> with a size in bytes, k, m, g or % of RAM, e.g. rd.overlay=tmpfs:size=512m`},
		// Control characters are escaped, so the console shows what was typed.
		{"root=\"/dev/v\x1b[2Jda\"", `cmdline: root="/dev/v\x1b[2Jda": expected root=/dev/<device name>, e.g. root=/dev/vda1`},
		// Only the effective (last) occurrence of a last-wins parameter counts.
		{"rd.retry=5 rd.retry=x", `cmdline: rd.retry="x": expected a number of seconds, e.g. rd.retry=30`},
		// Several errors come joined, in command-line order; each rd.break counts.
		{"rd.retry=x init=bin rd.break=a rd.retry=y rd.break=b root=/dev/vda",
			`cmdline: init="bin": expected an absolute path to the real init, e.g. init=/sbin/init` + "\n" +
				`cmdline: rd.break="a": expected rd.break alone or rd.break=<stage>[,<stage>...] with the stages pre-network, pre-mount, pre-overlay, pre-switch` + "\n" +
				`cmdline: rd.retry="y": expected a number of seconds, e.g. rd.retry=30` + "\n" +
				`cmdline: rd.break="b": expected rd.break alone or rd.break=<stage>[,<stage>...] with the stages pre-network, pre-mount, pre-overlay, pre-switch`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParseCmdline(tt.in)
			if err == nil {
				t.Fatalf("ParseCmdline(%q) = %v, want error %q", tt.in, p, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ParseCmdline(%q) error\n got: %s\nwant: %s", tt.in, err, tt.want)
			}
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Errorf("ParseCmdline(%q) error %T is not a *ParamError", tt.in, err)
			}
			if p == nil {
				t.Errorf("ParseCmdline(%q) returned nil Params with its error", tt.in)
			}
		})
	}
}

func TestParseCmdlineSingleErrorIsParamError(t *testing.T) {
	_, err := ParseCmdline("root=/dev/vda rd.retry=abc")
	pe, ok := err.(*ParamError)
	if !ok {
		t.Fatalf("error %T, want *ParamError", err)
	}
	want := ParamError{Param: "rd.retry", Value: "abc", Expected: "a number of seconds, e.g. rd.retry=30"}
	if *pe != want {
		t.Errorf("error = %#v, want %#v", *pe, want)
	}
}

func TestParseCmdlineErrorKeepsParsedSettings(t *testing.T) {
	p, err := ParseCmdline("rd.shell panic=-1 root= rd.retry=7")
	if err == nil {
		t.Fatal("ParseCmdline: no error for root=")
	}
	if !p.Shell || p.Panic != -1 || p.Retry != 7*time.Second {
		t.Errorf("settings lost on error: Shell=%v Panic=%d Retry=%v", p.Shell, p.Panic, p.Retry)
	}
}

func TestParamErrorHidesSecrets(t *testing.T) {
	tests := []struct {
		err  ParamError
		want string
	}{
		{ParamError{"rd.iscsi.password", "hunter2", "a CHAP secret of 12 to 16 characters"},
			`cmdline: rd.iscsi.password=<hidden>: expected a CHAP secret of 12 to 16 characters`},
		{ParamError{"rd.iscsi.in.PASSWORD", "hunter2", "x"}, `cmdline: rd.iscsi.in.PASSWORD=<hidden>: expected x`},
		{ParamError{"root", "iscsi:user:hunter2@10.0.0.1::3260:1:iqn.2024-01.test:root", "y"},
			`cmdline: root="iscsi:<hidden>@10.0.0.1::3260:1:iqn.2024-01.test:root": expected y`},
		{ParamError{"root", "iscsi:10.0.0.1::3260:1:iqn.2024-01.test:root", "z"},
			`cmdline: root="iscsi:10.0.0.1::3260:1:iqn.2024-01.test:root": expected z`},
		{ParamError{"ip", "a\tb\xffc\u200bd", "w"}, `cmdline: ip="a\x09b\xffc\u{200b}d": expected w`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error()\n got: %s\nwant: %s", got, tt.want)
		}
	}
}

func TestParamsGetAllHas(t *testing.T) {
	p, err := ParseCmdline("nameserver=10.0.0.1 quiet nameserver=10.0.0.2 ip=dhcp nameserver -- ip=off")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		key   string
		value string
		ok    bool
		all   []string
	}{
		{"nameserver", "", true, []string{"10.0.0.1", "10.0.0.2", ""}},
		{"ip", "dhcp", true, []string{"dhcp"}},
		{"quiet", "", true, []string{""}},
		{"missing", "", false, nil},
	} {
		v, ok := p.Get(tt.key)
		if v != tt.value || ok != tt.ok {
			t.Errorf("Get(%q) = %q, %v; want %q, %v", tt.key, v, ok, tt.value, tt.ok)
		}
		if has := p.Has(tt.key); has != tt.ok {
			t.Errorf("Has(%q) = %v, want %v", tt.key, has, tt.ok)
		}
		if all := p.All(tt.key); !reflect.DeepEqual(all, tt.all) {
			t.Errorf("All(%q) = %q, want %q", tt.key, all, tt.all)
		}
	}
	var nilParams *Params
	if _, ok := nilParams.Get("x"); ok || nilParams.Has("x") || nilParams.All("x") != nil {
		t.Error("nil *Params reports parameters")
	}
}

func TestParamsString(t *testing.T) {
	p, err := ParseCmdline(`root=/dev/vda1 rootfstype=ext4 rw init=/sbin/canary rd.retry=5 ` +
		`INIT_DEBUG=1 rd.break=pre-mount AUFS=1 aoe.aoe_iflist=eth0 foo.bar="x y" ` +
		`rd.iscsi.password=hunter2 foo.passwd=hunter3 -- one "two three" token_password=hunter4`)
	if err != nil {
		t.Fatal(err)
	}
	want := `root: /dev/vda1
rootfstype: ext4
rootflags: (none)
mode: rw
init: /sbin/canary
init args: one "two three" token_password=<hidden>
retry: 5s
panic: 10s
shell: yes
debug: yes
breaks: pre-mount pre-switch
pivot: no
overlay: tmpfs
module aoe: aoe_iflist=eth0
module foo: bar="x y" passwd=<hidden>
cmdline: root=/dev/vda1 rootfstype=ext4 rw init=/sbin/canary rd.retry=5
    INIT_DEBUG=1 rd.break=pre-mount AUFS=1 aoe.aoe_iflist=eth0 foo.bar="x y"
    rd.iscsi.password=<hidden> foo.passwd=<hidden>
`
	if got := p.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
}

func TestParamsStringDefaults(t *testing.T) {
	p, err := ParseCmdline("root=iscsi:u:hunter2@10.0.0.1::::iqn.x:root rd.break")
	if err != nil {
		t.Fatal(err)
	}
	want := `root: iscsi:<hidden>@10.0.0.1::::iqn.x:root
rootfstype: (probe)
rootflags: (none)
mode: ro
init: (search /sbin/init /etc/init /bin/init /bin/sh)
init args: (none)
retry: 3m0s
panic: 10s
shell: no
debug: no
breaks: (default)
pivot: no
overlay: (none)
cmdline: root=iscsi:<hidden>@10.0.0.1::::iqn.x:root rd.break
`
	if got := p.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
}

func TestWrapLine(t *testing.T) {
	long := strings.Repeat("x", 170)
	tests := []struct {
		in   string
		want []string
	}{
		{"a: b", []string{"a: b"}},
		{"", []string{""}},
		{"k: " + long, []string{"k:", "    " + long[:76], "    " + long[76:152], "    " + long[152:]}},
		{"k: " + strings.Repeat("é", 50), []string{"k:", "    " + strings.Repeat("é", 38), "    " + strings.Repeat("é", 12)}},
	}
	for _, tt := range tests {
		got := wrapLine(tt.in)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("wrapLine(%q) =\n%q\nwant\n%q", tt.in, got, tt.want)
		}
	}
}

// checkSummary fails when a line of s is wider than 80 columns or holds a control character.
func checkSummary(t *testing.T, in, s string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if n := utf8.RuneCountInString(l); n > summaryWidth {
			t.Fatalf("ParseCmdline(%q).String() has a %d-rune line %q", in, n, l)
		}
		for _, r := range l {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("ParseCmdline(%q).String() has control %U in %q", in, r, l)
			}
		}
	}
}

const fuzzSecret = "Zq9fuzzSecret"

func FuzzParseCmdline(f *testing.F) {
	for _, s := range []string{
		"", "root=/dev/vda1 rw init=/sbin/init -- a b", "rd.retry=abc panic=x root=",
		`INIT_DEBUG=1 AUFS=1 rd.break=pre-mount,pre-switch rd.overlay=tmpfs:size=50%`,
		`aoe.aoe_iflist=eth0 foo-bar.baz="a b" rd.iscsi.password=x`,
		"root=iscsi:u:p@10.0.0.1::3260:1:iqn.x goinit.log=debug rd.shell=0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, in := range []string{s, "rd.iscsi.password=" + fuzzSecret + " " + s} {
			p, err := ParseCmdline(in)
			if p == nil {
				t.Fatalf("ParseCmdline(%q) returned nil Params", in)
			}
			if p.Retry <= 0 {
				t.Fatalf("ParseCmdline(%q): Retry %v", in, p.Retry)
			}
			for _, b := range p.Breaks {
				if b != BreakDefault && !contains(breakStages, b) {
					t.Fatalf("ParseCmdline(%q): unknown break stage %q", in, b)
				}
			}
			for m := range p.ModuleParams {
				if !isModuleName(m) || strings.Contains(m, "-") {
					t.Fatalf("ParseCmdline(%q): module name %q", in, m)
				}
			}
			summary := p.String()
			checkSummary(t, in, summary)
			if err != nil {
				var pe *ParamError
				if !errors.As(err, &pe) {
					t.Fatalf("ParseCmdline(%q): error %T %v is not a *ParamError", in, err, err)
				}
				for _, r := range err.Error() {
					if r < 0x20 && r != '\n' || r == 0x7f {
						t.Fatalf("ParseCmdline(%q): control %U in error %q", in, r, err)
					}
				}
			}
			if !strings.Contains(s, fuzzSecret) {
				if strings.Contains(summary, fuzzSecret) {
					t.Fatalf("ParseCmdline(%q).String() shows the password:\n%s", in, summary)
				}
				if err != nil && strings.Contains(err.Error(), fuzzSecret) {
					t.Fatalf("ParseCmdline(%q) error shows the password: %v", in, err)
				}
			}
		}
	})
}
