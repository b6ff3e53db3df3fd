package netroot

import (
	"strings"
	"testing"
	"time"
)

// nbdFakeCmdline is a Cmdline from space-separated key=value words; the last one wins.
type nbdFakeCmdline map[string][]string

func nbdCmdline(s string) nbdFakeCmdline {
	c := nbdFakeCmdline{}
	for _, w := range strings.Fields(s) {
		k, v, _ := strings.Cut(w, "=")
		c[k] = append(c[k], v)
	}
	return c
}

func (c nbdFakeCmdline) Get(key string) (string, bool) {
	v := c[key]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

func (c nbdFakeCmdline) All(key string) []string { return c[key] }

func (c nbdFakeCmdline) Has(key string) bool { _, ok := c[key]; return ok }

func TestParseNBD(t *testing.T) {
	// Every NBD root gets the reconnect defaults (goinit.nbd.deadconn=, goinit.nbd.timeout=).
	ro := func(r NBDRoot) *NBDRoot {
		r.ReadOnly, r.Timeout, r.DeadConnTimeout = true, NBDDefaultTimeout, NBDDefaultDeadConn
		return &r
	}
	rw := func(r NBDRoot) *NBDRoot {
		r.Timeout, r.DeadConnTimeout = NBDDefaultTimeout, NBDDefaultDeadConn
		return &r
	}
	tests := []struct {
		cmdline string
		want    *NBDRoot
	}{
		{"root=nbd:10.99.0.1:root", ro(NBDRoot{Server: "10.99.0.1", Port: 10809, Export: "root"})},
		{"root=nbd:10.99.0.1:10810", ro(NBDRoot{Server: "10.99.0.1", Port: 10810})},
		{"root=nbd:10.99.0.1:65535", ro(NBDRoot{Server: "10.99.0.1", Port: 65535})},
		{"root=nbd:10.99.0.1:root:ext4", ro(NBDRoot{Server: "10.99.0.1", Port: 10809, Export: "root", FSType: "ext4"})},
		{"root=nbd:10.99.0.1:root:ext4:noatime,ro", ro(NBDRoot{Server: "10.99.0.1", Port: 10809, Export: "root", FSType: "ext4", Options: "noatime"})},
		{"root=nbd:10.99.0.1:root:ext4:rw,discard,defaults", rw(NBDRoot{Server: "10.99.0.1", Port: 10809, Export: "root", FSType: "ext4", Options: "discard"})},
		{"root=nbd:server.example-1:root-fs.v2", ro(NBDRoot{Server: "server.example-1", Port: 10809, Export: "root-fs.v2"})},
		{"root=nbd:[fd00::1]:root:squashfs", ro(NBDRoot{Server: "fd00::1", Port: 10809, Export: "root", FSType: "squashfs"})},
		{"root=nbd:[fd00::1]:10809", ro(NBDRoot{Server: "fd00::1", Port: 10809})},
		{"root=nbd:h:root rootfstype=xfs rootflags=nobarrier", ro(NBDRoot{Server: "h", Port: 10809, Export: "root", FSType: "xfs", Options: "nobarrier"})},
		{"root=nbd:h:root:ext4:noatime rootfstype=xfs rootflags=nobarrier", ro(NBDRoot{Server: "h", Port: 10809, Export: "root", FSType: "ext4", Options: "noatime"})},
		{"root=nbd:h:root::noatime rootfstype=xfs", ro(NBDRoot{Server: "h", Port: 10809, Export: "root", FSType: "xfs", Options: "noatime"})},
		{"root=nbd:h:root rw", rw(NBDRoot{Server: "h", Port: 10809, Export: "root"})},
		{"root=nbd:h:root rw ro", ro(NBDRoot{Server: "h", Port: 10809, Export: "root"})},
		{"root=nbd:h:root:ext4:ro rw", ro(NBDRoot{Server: "h", Port: 10809, Export: "root", FSType: "ext4"})},
		{"root=nbd:h:root rootflags=rw", rw(NBDRoot{Server: "h", Port: 10809, Export: "root"})},
		{"root=/dev/vda1 root=nbd:h:root nbdroot=ignored", ro(NBDRoot{Server: "h", Port: 10809, Export: "root"})},

		{"nbdroot=10.99.0.1", ro(NBDRoot{Server: "10.99.0.1", Port: 10809})},
		{"nbdroot=10.99.0.1 root=/dev/nbd0", ro(NBDRoot{Server: "10.99.0.1", Port: 10809})},
		{"nbdroot=10.99.0.1:10810/root root=/dev/nbd3", ro(NBDRoot{Server: "10.99.0.1", Port: 10810, Export: "root", Device: 3})},
		{"nbdroot=10.99.0.1/root root=/dev/nbd32767", ro(NBDRoot{Server: "10.99.0.1", Port: 10809, Export: "root", Device: 32767})},
		{"nbdroot=10.99.0.1/images/root:v2", ro(NBDRoot{Server: "10.99.0.1", Port: 10809, Export: "images/root:v2"})},
		{"nbdroot=10.99.0.1/", ro(NBDRoot{Server: "10.99.0.1", Port: 10809})},
		{"nbdroot=[fd00::1]:10809/ext4 root=/dev/nbd1", ro(NBDRoot{Server: "fd00::1", Port: 10809, Export: "ext4", Device: 1})},
		{"nbdroot=[fe80::1%eth0]/root", ro(NBDRoot{Server: "fe80::1%eth0", Port: 10809, Export: "root"})},
		{"nbdroot=nbd.lan/root rootfstype=squashfs rw", rw(NBDRoot{Server: "nbd.lan", Port: 10809, Export: "root", FSType: "squashfs"})},

		{"", nil},
		{"root=/dev/vda1", nil},
		{"root=nfs:10.99.0.1:/export", nil},
		{"root=/dev/nbd0p1", nil},
		{"root=NBD:h:root", nil},
	}
	for _, tt := range tests {
		t.Run(tt.cmdline, func(t *testing.T) {
			got, ok, err := ParseNBD(nbdCmdline(tt.cmdline))
			if err != nil {
				t.Fatalf("ParseNBD: %v", err)
			}
			if ok != (tt.want != nil) {
				t.Fatalf("ParseNBD: is-nbd %v, want %v", ok, tt.want != nil)
			}
			if tt.want == nil {
				if got != nil {
					t.Fatalf("ParseNBD = %+v, want nil", got)
				}
				return
			}
			if *got != *tt.want {
				t.Errorf("ParseNBD =\n %+v\nwant\n %+v", *got, *tt.want)
			}
		})
	}
}

func TestParseNBDErrors(t *testing.T) {
	const form = "; expected nbd:<server>:<port-or-exportname>[:<fstype>[:<mountopts>]]"
	const nform = "; expected nbdroot=<server>[:<port>][/<exportname>]"
	long := strings.Repeat("x", 4097)
	tests := []struct {
		cmdline string
		want    string
	}{
		{"root=nbd:", `cmdline: root="nbd:": missing server` + form},
		{"root=nbd:10.99.0.1", `cmdline: root="nbd:10.99.0.1": missing port or export name` + form},
		{"root=nbd:10.99.0.1:", `cmdline: root="nbd:10.99.0.1:": missing port or export name` + form},
		{"root=nbd::root", `cmdline: root="nbd::root": missing server` + form},
		{"root=nbd:10.99.0.1:0", `cmdline: root="nbd:10.99.0.1:0": port 0 is out of range 1-65535` + form},
		{"root=nbd:10.99.0.1:65536", `cmdline: root="nbd:10.99.0.1:65536": port 65536 is out of range 1-65535` + form},
		{"root=nbd:10.99.0.1:99999999999999999999", `cmdline: root="nbd:10.99.0.1:99999999999999999999": port 99999999999999999999 is out of range 1-65535` + form},
		{"root=nbd:fd00::1:root", `cmdline: root="nbd:fd00::1:root": empty port or export name (an IPv6 server needs brackets: nbd:[fd00::1]:root)` + form},
		{"root=nbd:[fd00::1:root", `cmdline: root="nbd:[fd00::1:root": missing ']' after the IPv6 server` + form},
		{"root=nbd:[10.0.0.1]:root", `cmdline: root="nbd:[10.0.0.1]:root": [10.0.0.1] is not an IPv6 address` + form},
		{"root=nbd:[]:root", `cmdline: root="nbd:[]:root": [] is not an IPv6 address` + form},
		{"root=nbd:[fd00::1]root", `cmdline: root="nbd:[fd00::1]root": unexpected "root" after the server` + form},
		{"root=nbd:[fd00::1]", `cmdline: root="nbd:[fd00::1]": missing port or export name` + form},
		{"root=nbd:h:root:ext4:ro:persist", `cmdline: root="nbd:h:root:ext4:ro:persist": too many ':'-separated fields` + form},
		{"root=nbd:bad/host:root", `cmdline: root="nbd:bad/host:root": server "bad/host" is not a host name or IP address` + form},
		{"root=nbd:h:" + long, `cmdline: root="nbd:h:` + long + `": export name longer than 4096 bytes` + form},

		{"root=/dev/nbd0", `cmdline: root="/dev/nbd0": an NBD device needs nbdroot=<server>[:<port>][/<exportname>]`},
		{"root=/dev/nbd32768 nbdroot=h", `cmdline: root="/dev/nbd32768": device number 32768 is out of range 0-32767; expected /dev/nbd<N>`},
		{"root=/dev/nbd99999999999999999999", `cmdline: root="/dev/nbd99999999999999999999": device number 99999999999999999999 is out of range 0-32767; expected /dev/nbd<N>`},
		{"root=/dev/nbd01 nbdroot=h", `cmdline: root="/dev/nbd01": device number 01 has a leading zero; expected /dev/nbd<N>`},
		{"root=/dev/vda1 nbdroot=h", `cmdline: root="/dev/vda1" with nbdroot="h": expected root=/dev/nbd<N> or no root=`},
		{"root=/dev/nbd0p1 nbdroot=h", `cmdline: root="/dev/nbd0p1" with nbdroot="h": expected root=/dev/nbd<N> or no root=`},

		{"nbdroot=", `cmdline: nbdroot="": missing server` + nform},
		{"nbdroot=:10809", `cmdline: nbdroot=":10809": missing server` + nform},
		{"nbdroot=/root", `cmdline: nbdroot="/root": missing server` + nform},
		{"nbdroot=h:", `cmdline: nbdroot="h:": empty port` + nform},
		{"nbdroot=h:/root", `cmdline: nbdroot="h:/root": empty port` + nform},
		{"nbdroot=h:abc", `cmdline: nbdroot="h:abc": port "abc" is not a number` + nform},
		{"nbdroot=h:70000/root", `cmdline: nbdroot="h:70000/root": port 70000 is out of range 1-65535` + nform},
		{"nbdroot=fd00::1/root", `cmdline: nbdroot="fd00::1/root": port ":1" is not a number (an IPv6 server needs brackets: [fd00::1]:10809)` + nform},
		{"nbdroot=[fd00::1]x", `cmdline: nbdroot="[fd00::1]x": unexpected "x" after the server` + nform},
		{"nbdroot=[fd00::1", `cmdline: nbdroot="[fd00::1": missing ']' after the IPv6 server` + nform},
		{"nbdroot=h@x/root", `cmdline: nbdroot="h@x/root": server "h@x" is not a host name or IP address` + nform},
		{"nbdroot=h/" + long, `cmdline: nbdroot="h/` + long + `": export name longer than 4096 bytes` + nform},
	}
	for _, tt := range tests {
		name := tt.cmdline
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			got, ok, err := ParseNBD(nbdCmdline(tt.cmdline))
			if err == nil {
				t.Fatalf("ParseNBD = %+v, want error %q", got, tt.want)
			}
			if !ok {
				t.Errorf("ParseNBD: is-nbd false with error %v", err)
			}
			if err.Error() != tt.want {
				t.Errorf("ParseNBD error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

func TestParseNBDRootPath(t *testing.T) {
	r, err := ParseNBDRootPath(nbdCmdline("rootfstype=ext4"), "nbd:10.99.0.1:root")
	if err != nil {
		t.Fatal(err)
	}
	want := NBDRoot{Server: "10.99.0.1", Port: 10809, Export: "root", FSType: "ext4", ReadOnly: true,
		Timeout: NBDDefaultTimeout, DeadConnTimeout: NBDDefaultDeadConn}
	if *r != want {
		t.Errorf("ParseNBDRootPath = %+v, want %+v", *r, want)
	}
	// The reconnect settings of the command line reach a root that DHCP named, as they reach
	// root=nbd:…: the supervisor works within the dead connection timeout.
	r, err = ParseNBDRootPath(nbdCmdline("goinit.nbd.deadconn=90 goinit.nbd.timeout=5"), "nbd:10.99.0.1:root")
	if err != nil || r.DeadConnTimeout != 90*time.Second || r.Timeout != 5*time.Second {
		t.Errorf("ParseNBDRootPath with goinit.nbd.* = %+v, %v; want deadconn 1m30s, timeout 5s", r, err)
	}
	_, err = ParseNBDRootPath(nbdCmdline("goinit.nbd.deadconn=x"), "nbd:10.99.0.1:root")
	const wantSettingErr = `cmdline: goinit.nbd.deadconn="x": expected whole seconds 0-3600 (how long I/O waits for a reconnect; 0: the kernel's default)`
	if err == nil || err.Error() != wantSettingErr {
		t.Errorf("ParseNBDRootPath with goinit.nbd.deadconn=x: error %v, want %q", err, wantSettingErr)
	}
	_, err = ParseNBDRootPath(nbdCmdline(""), "nbd:10.99.0.1")
	const wantErr = `dhcp: root-path "nbd:10.99.0.1": missing port or export name; expected nbd:<server>:<port-or-exportname>[:<fstype>[:<mountopts>]]`
	if err == nil || err.Error() != wantErr {
		t.Errorf("ParseNBDRootPath error\n got: %v\nwant: %s", err, wantErr)
	}
	_, err = ParseNBDRootPath(nbdCmdline(""), "10.99.0.1:/export")
	const wantErr2 = `dhcp: root-path "10.99.0.1:/export": expected nbd:<server>:<port-or-exportname>[:<fstype>[:<mountopts>]]`
	if err == nil || err.Error() != wantErr2 {
		t.Errorf("ParseNBDRootPath error\n got: %v\nwant: %s", err, wantErr2)
	}
}

func TestNBDRootString(t *testing.T) {
	tests := []struct {
		r                  NBDRoot
		str, addr, devpath string
	}{
		{NBDRoot{Server: "10.99.0.1", Port: 10809, Export: "root"}, `nbd 10.99.0.1:10809 export "root"`, "10.99.0.1:10809", "/dev/nbd0"},
		{NBDRoot{Server: "fd00::1", Port: 10810, Device: 2}, `nbd [fd00::1]:10810 export ""`, "[fd00::1]:10810", "/dev/nbd2"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.str {
			t.Errorf("String() = %q, want %q", got, tt.str)
		}
		if got := tt.r.Addr(); got != tt.addr {
			t.Errorf("Addr() = %q, want %q", got, tt.addr)
		}
		if got := tt.r.DevicePath(); got != tt.devpath {
			t.Errorf("DevicePath() = %q, want %q", got, tt.devpath)
		}
		if got := NewNBD(tt.r, Env{}).String(); got != tt.str {
			t.Errorf("NewNBD().String() = %q, want %q", got, tt.str)
		}
	}
}
