package pxelinux

import "testing"

func TestWrite(t *testing.T) {
	c := &Config{
		Default: "goinit", Timeout: 30, Prompt: true,
		Serial: &Serial{Port: 0, Baud: 115200},
		Extra:  []string{"CONSOLE 0"},
		Labels: []Label{
			{Name: "goinit", Kernel: "vmlinuz", Initrd: "initrd.img", Append: "root=aoe:e7.1 console=ttyS0,115200", IPAppend: 2,
				Extra: []string{"MENU LABEL goinit over AoE"}},
			{Name: "broken", Kind: "linux", Kernel: "no-such-kernel"},
			{Name: "local", Kind: "localboot", Kernel: "0", Append: "-"},
		},
	}
	want := `SERIAL 0 115200
CONSOLE 0
DEFAULT goinit
PROMPT 1
TIMEOUT 30

LABEL goinit
  KERNEL vmlinuz
  INITRD initrd.img
  APPEND root=aoe:e7.1 console=ttyS0,115200
  IPAPPEND 2
  MENU LABEL goinit over AoE

LABEL broken
  LINUX no-such-kernel

LABEL local
  LOCALBOOT 0
  APPEND -
`
	if got := string(Write(c)); got != want {
		t.Errorf("Write:\n%s\nwant:\n%s", got, want)
	}
	checkRoundTrip(t, c)

	for _, s := range []*Serial{{Port: 1}, {Port: 0x2f8, Baud: 9600, Flow: "0x003"}, {Port: 0, Flow: "0"}} {
		checkRoundTrip(t, &Config{Serial: s})
	}
	if got := string(Write(&Config{})); got != "" {
		t.Errorf("Write(empty) = %q, want nothing", got)
	}
}
