package pxelinux

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Config
	}{
		{"empty", "", &Config{}},
		{"comments and blanks", "# x\n\n   # y\n", &Config{}},
		{"seed label", "label puppy\nkernel boot/vmlinuz\nappend initrd=boot/initrd.gz AUFS=1 nfsroot=192.168.1.1:/fs/nfs/puppy,ro,nolock root=/dev/nfs\n",
			&Config{Labels: []Label{{Name: "puppy", Kernel: "boot/vmlinuz", Initrd: "boot/initrd.gz",
				Append: "AUFS=1 nfsroot=192.168.1.1:/fs/nfs/puppy,ro,nolock root=/dev/nfs"}}}},
		{"keywords any case, CRLF, tabs", "DeFault  a b\r\n\tTimeOut 50\r\nPROMPT 1\r\nSerial 0x3f8 115200 0x003\r\nLABEL a\r\n\tLiNuX vmlinuz\r\n\tiNiTrD i.img\r\n\tAPPEND root=aoe:e7.1\r\n\tipappend 2\r\n",
			&Config{Default: "a b", Timeout: 50, Prompt: true, Serial: &Serial{Port: 0x3f8, Baud: 115200, Flow: "0x003"},
				Labels: []Label{{Name: "a", Kind: "linux", Kernel: "vmlinuz", Initrd: "i.img", Append: "root=aoe:e7.1", IPAppend: 2}}}},
		{"initrd= in APPEND wins over INITRD", "label a\nkernel k\nappend x initrd=one y initrd=\"two\"\ninitrd three\n",
			&Config{Labels: []Label{{Name: "a", Kernel: "k", Initrd: "two", Append: "x y"}}}},
		{"later APPEND drops earlier initrd=", "label a\ninitrd d\nappend initrd=one\nappend x\n",
			&Config{Labels: []Label{{Name: "a", Initrd: "d", Append: "x"}}}},
		{"APPEND with only initrd= is an empty APPEND", "append g\nlabel a\nappend initrd=i\n",
			&Config{Append: "g", Labels: []Label{{Name: "a", Initrd: "i", Append: "-"}}}},
		{"empty APPEND means none", "label a\nappend\n", &Config{Labels: []Label{{Name: "a", Append: "-"}}}},
		{"global directives inside a label", "label a\ntimeout 30\ndefault a\nserial 1\n",
			&Config{Default: "a", Timeout: 30, Serial: &Serial{Port: 1}, Labels: []Label{{Name: "a"}}}},
		{"global IPAPPEND and label SYSAPPEND", "ipappend 1\nlabel a\nsysappend 3\n",
			&Config{IPAppend: 1, Labels: []Label{{Name: "a", IPAppend: 3}}}},
		{"extras kept in place", "UI menu.c32\nmenu title T\nkernel global-ignored\ninitrd global-too\nlabel a\nmenu label A\nlocalboot 0\ntext help\nlabel in text\nendtext\n",
			&Config{Extra: []string{"UI menu.c32", "menu title T", "kernel global-ignored", "initrd global-too"},
				Labels: []Label{{Name: "a", Kind: "localboot", Kernel: "0", Extra: []string{"menu label A", "text help", "label in text", "endtext"}}}}},
		{"unterminated TEXT block closed", "text help\nlabel x\n", &Config{Extra: []string{"text help", "label x", "ENDTEXT"}}},
		{"quoted append kept", `label a` + "\n" + `append foo="a  b" initrd=i  bar`,
			&Config{Labels: []Label{{Name: "a", Initrd: "i", Append: `foo="a  b" bar`}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, err string }{
		{"timeout abc", `pxelinux config line 1: timeout "abc": expected a timeout in tenths of a second, e.g. TIMEOUT 50`},
		{"TIMEOUT -1", `pxelinux config line 1: TIMEOUT "-1": expected a timeout in tenths of a second, e.g. TIMEOUT 50`},
		{"# c\nPROMPT yes", `pxelinux config line 2: PROMPT "yes": expected 0 or 1, e.g. PROMPT 0`},
		{"SERIAL", `pxelinux config line 1: SERIAL "": expected <port> [<baud> [<flow-control>]], e.g. SERIAL 0 115200`},
		{"SERIAL 0 fast", `pxelinux config line 1: SERIAL "0 fast": expected <port> [<baud> [<flow-control>]], e.g. SERIAL 0 115200`},
		{"SERIAL 0 9600 0 x", `pxelinux config line 1: SERIAL "0 9600 0 x": expected <port> [<baud> [<flow-control>]], e.g. SERIAL 0 115200`},
		{"SERIAL 0xzz", `pxelinux config line 1: SERIAL "0xzz": expected <port> [<baud> [<flow-control>]], e.g. SERIAL 0 115200`},
		{"label a\n  IPAPPEND two", `pxelinux config line 2: IPAPPEND "two": expected a number of flags (1: ip=, 2: BOOTIF=), e.g. IPAPPEND 2`},
		{"LABEL   ", `pxelinux config line 1: LABEL "": expected a label name, e.g. LABEL goinit`},
		{"timeout 99999999999999999999", `pxelinux config line 1: timeout "99999999999999999999": expected a timeout in tenths of a second, e.g. TIMEOUT 50`},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.in))
		if err == nil || err.Error() != tt.err {
			t.Errorf("Parse(%q) error = %v\nwant %s", tt.in, err, tt.err)
		}
	}
}

// TestRealConfigs reads realistic configs (the seed's label, Debian installer, a serial menu,
// mkinitramfs's own) and checks the facts a user relies on, then the round trip.
func TestRealConfigs(t *testing.T) {
	type labelFacts struct{ name, cmdline, kernel string }
	tests := []struct {
		file    string
		def     string
		labels  []labelFacts
		serial  *Serial
		ipapp   map[string]int
		nExtras int
	}{
		{"seed-puppy.cfg", "", []labelFacts{{"puppy", "AUFS=1 nfsroot=192.168.1.1:/fs/nfs/puppy,ro,nolock root=/dev/nfs initrd=boot/initrd.gz", "boot/vmlinuz"}}, nil, nil, 0},
		{"debian-installer.cfg", "debian-installer/amd64/boot-screens/vesamenu.c32", []labelFacts{
			{"install", "vga=788 --- quiet initrd=debian-installer/amd64/initrd.gz", "debian-installer/amd64/linux"},
			{"expert", "priority=low vga=788 --- initrd=debian-installer/amd64/initrd.gz", "debian-installer/amd64/linux"},
			{"rescue", "vga=788 rescue/enable=true --- quiet initrd=debian-installer/amd64/initrd.gz", "debian-installer/amd64/linux"},
			{"auto", "auto=true priority=critical vga=788 --- quiet initrd=debian-installer/amd64/initrd.gz", "debian-installer/amd64/linux"},
		}, nil, map[string]int{"install": 0}, 2},
		{"menu-serial.cfg", "nfs", []labelFacts{
			{"nfs", "console=ttyS0,115200 root=nfs:10.99.0.1:/export rd.overlay ip=dhcp initrd=initrd.img-goinit", "vmlinuz-6.1.0-56-amd64"},
			{"aoe", "console=ttyS0,115200 root=aoe:e7.1 rootfstype=squashfs initrd=initrd.img-goinit", "vmlinuz-6.1.0-56-amd64"},
			{"local", "", "0"},
			{"memtest", "", "memtest86+.bin"},
		}, &Serial{Port: 0, Baud: 115200}, map[string]int{"nfs": 2, "aoe": 3, "local": 2}, 4},
		{"pxelinux-goinit.cfg", "goinit", []labelFacts{
			{"goinit", "root=nfs:10.99.0.1:/export rd.overlay ip=dhcp console=ttyS0,115200 initrd=initrd.img", "vmlinuz"},
		}, &Serial{Port: 0, Baud: 115200}, map[string]int{"goinit": 2}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.Default != tt.def {
				t.Errorf("Default = %q, want %q", c.Default, tt.def)
			}
			if !reflect.DeepEqual(c.Serial, tt.serial) {
				t.Errorf("Serial = %+v, want %+v", c.Serial, tt.serial)
			}
			if len(c.Extra) != tt.nExtras {
				t.Errorf("global Extra = %q, want %d lines", c.Extra, tt.nExtras)
			}
			if len(c.Labels) != len(tt.labels) {
				t.Fatalf("%d labels, want %d: %+v", len(c.Labels), len(tt.labels), c.Labels)
			}
			for i, want := range tt.labels {
				l := &c.Labels[i]
				if l.Name != want.name || l.Kernel != want.kernel || c.CommandLine(l) != want.cmdline {
					t.Errorf("label %d = %q kernel %q cmdline %q\nwant %q kernel %q cmdline %q",
						i, l.Name, l.Kernel, c.CommandLine(l), want.name, want.kernel, want.cmdline)
				}
				if n, ok := tt.ipapp[l.Name]; ok && c.EffectiveIPAppend(l) != n {
					t.Errorf("label %s: IPAPPEND %d, want %d", l.Name, c.EffectiveIPAppend(l), n)
				}
			}
			checkRoundTrip(t, c)
		})
	}
}

// checkRoundTrip fails unless Parse(Write(c)) equals c and Write is a fixed point.
func checkRoundTrip(t *testing.T, c *Config) {
	t.Helper()
	text := Write(c)
	c2, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse(Write(c)): %v\n%s", err, text)
	}
	if !reflect.DeepEqual(c, c2) {
		t.Fatalf("Parse(Write(c)) differs:\n got %+v\nwant %+v\ntext:\n%s", c2, c, text)
	}
	if text2 := Write(c2); string(text2) != string(text) {
		t.Fatalf("Write is not stable:\n%s\n----\n%s", text, text2)
	}
}
