package modalias

import (
	"bytes"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

func TestParseModuleParams(t *testing.T) {
	tests := []struct {
		cmdline string
		want    map[string][]string
	}{
		{"", map[string][]string{}},
		{"console=ttyS0 root=nfs:10.99.0.1:/export ip=dhcp", map[string][]string{}},
		{"aoe.aoe_iflist=eth0 e1000.TxDescriptors=256 e1000.copybreak=0",
			map[string][]string{"aoe": {"aoe_iflist=eth0"}, "e1000": {"TxDescriptors=256", "copybreak=0"}}},
		{`rd.break goinit.debug=1 canary.x=1 nf-conntrack.hashsize=4096 usbcore.nousb`,
			map[string][]string{"nf_conntrack": {"hashsize=4096"}, "usbcore": {"nousb"}}},
		{`foo.label="a b c"  "bar.x=y z" baz.q=1 -- init.arg=1`,
			map[string][]string{"foo": {"label=a b c"}, "bar": {"x=y z"}, "baz": {"q=1"}}},
		{".x=1 m.=2 BOOT_IMAGE=/boot/vmlinuz-6.1.0 m.p=a=b", map[string][]string{"m": {"p=a=b"}}},
		{"\tm.p=1\n", map[string][]string{"m": {"p=1"}}},
	}
	for _, tt := range tests {
		if got := ParseModuleParams(tt.cmdline); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseModuleParams(%q) = %q, want %q", tt.cmdline, got, tt.want)
		}
	}
}

func FuzzParseModuleParams(f *testing.F) {
	f.Add(`foo.label="a b c" "bar.x=y z" rd.break -- x.y=z`)
	f.Add(`"unterminated m.p=1`)
	f.Fuzz(func(t *testing.T, cmdline string) {
		for mod, ps := range ParseModuleParams(cmdline) {
			if mod == "" || strings.Contains(mod, "-") || mod == "rd" || mod == "goinit" || mod == "canary" {
				t.Fatalf("bad module key %q from %q", mod, cmdline)
			}
			for _, p := range ps {
				if p == "" || strings.HasPrefix(p, "=") {
					t.Fatalf("bad param %q for %s from %q", p, mod, cmdline)
				}
			}
		}
	})
}

func TestServeModprobe(t *testing.T) {
	dir := fixtureDir(t)
	tests := []struct {
		name      string
		args      []string
		cmdline   string
		fail      map[string]error
		code      int
		calls     []string
		params    map[string]string
		stderr    string // DIR for the directory
		stderrHas string
	}{
		{name: "kernel request", args: []string{"-q", "--", "crypto-crc32c"}, code: 0,
			calls: []string{"crc32c_intel", "crc32c_generic"}},
		{name: "one provider fails", args: []string{"-q", "--", "crypto-crc32c"}, code: 0,
			fail: map[string]error{"crc32c_intel": syscall.ENODEV}, calls: []string{"crc32c_intel", "crc32c_generic"}},
		{name: "no dashes, params", args: []string{"-b", "e1000", "debug=16"}, cmdline: "e1000.copybreak=0 rd.debug", code: 0,
			calls: []string{"e1000", "failover"}, params: map[string]string{"e1000": "copybreak=0 debug=16"}},
		{name: "quiet not found", args: []string{"-q", "--", "fs-nothing"}, code: 1},
		{name: "not found", args: []string{"--", "fs-nothing"}, code: 1,
			stderr: "modprobe: module \"fs-nothing\" not found in DIR\n"},
		{name: "load fails even quiet", args: []string{"-qb", "--", "ext4"}, fail: map[string]error{"jbd2": syscall.EINVAL}, code: 1,
			calls:     []string{"crc32c_intel", "crc32c_generic", "jbd2"},
			stderrHas: "modprobe ext4: load module ext4: load module jbd2 (DIR/kernel/fs/jbd2/jbd2.ko): invalid argument\n"},
		{name: "verbose", args: []string{"-v", "sd_mod"}, code: 0, calls: []string{"sd_mod"}, stderrHas: "modalias: loaded sd_mod in "},
		{name: "builtin", args: []string{"-q", "--", "nfs_acl"}, code: 0},
		{name: "no name", args: []string{"-q", "--"}, code: 1,
			stderr: "modprobe: no module name given (usage: modprobe [-q] [-v] [--] <module-or-alias> [param=value...])\n"},
		{name: "no args", args: nil, code: 1,
			stderr: "modprobe: no module name given (usage: modprobe [-q] [-v] [--] <module-or-alias> [param=value...])\n"},
		{name: "unknown option", args: []string{"-qr", "x"}, code: 1,
			stderr: "modprobe: unknown option \"-r\" in \"-qr\" (goinit's modprobe takes -q, -v, -b)\n"},
		{name: "dash after --", args: []string{"--", "-q"}, code: 1, stderr: "modprobe: module \"-q\" not found in DIR\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newFakeKernel()
			for m, e := range tt.fail {
				k.fail[m] = e
			}
			var stderr bytes.Buffer
			code := serveModprobe(tt.args, dir, tt.cmdline, modprobeEnv{stderr: &stderr, finit: k.finit, initMod: k.initMod, sysModule: t.TempDir()})
			if code != tt.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tt.code, stderr.String())
			}
			if !sameSet(k.Calls(), tt.calls) {
				t.Errorf("insertions = %q, want %q", k.Calls(), tt.calls)
			}
			for m, p := range tt.params {
				if k.params[m] != p {
					t.Errorf("%s params = %q, want %q", m, k.params[m], p)
				}
			}
			if tt.stderrHas != "" {
				if want := replaceDir(tt.stderrHas, dir); !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr = %q, want it to contain %q", stderr.String(), want)
				}
			} else if want := replaceDir(tt.stderr, dir); stderr.String() != want {
				t.Errorf("stderr = %q, want %q", stderr.String(), want)
			}
		})
	}
}

func TestServeModprobeBadDir(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	code := serveModprobe([]string{"-q", "--", "x"}, dir, "", modprobeEnv{stderr: &stderr})
	want := "modprobe x: load module index " + dir + ": open " + dir + "/modules.dep: no such file or directory\n"
	if code != 1 || stderr.String() != want {
		t.Errorf("code %d, stderr %q; want 1, %q", code, stderr.String(), want)
	}
}

func FuzzServeModprobeArgs(f *testing.F) {
	dir := fixtureDir(f)
	f.Add("-q\x00--\x00crypto-crc32c", "e1000.x=1")
	f.Add("-qvb\x00e1000\x00a=b", `"`)
	f.Fuzz(func(t *testing.T, args, cmdline string) {
		k := newFakeKernel()
		var stderr bytes.Buffer
		code := serveModprobe(strings.Split(args, "\x00"), dir, cmdline, modprobeEnv{stderr: &stderr, finit: k.finit, initMod: k.initMod, sysModule: dir})
		if code != 0 && code != 1 {
			t.Fatalf("exit code %d", code)
		}
		if strings.Contains(stderr.String(), "internal error") {
			t.Fatalf("panic: %s", stderr.String())
		}
	})
}
