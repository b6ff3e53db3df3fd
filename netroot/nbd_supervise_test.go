package netroot

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestParseNBDSupervisorArgs(t *testing.T) {
	tests := []struct {
		args []string
		want NBDSupervisor
		err  string
	}{
		{[]string{"index=0", "size=4096", "export=root", "server=10.99.0.1:10809"}, NBDSupervisor{Index: 0, Export: "root", Servers: []string{"10.99.0.1:10809"}, Size: 4096}, ""},
		{[]string{"index=0", "size=4096", "timeout=30", "sock=3", "export=root", "server=10.99.0.1:10809"}, NBDSupervisor{Index: 0, Export: "root", Servers: []string{"10.99.0.1:10809"}, Size: 4096, Timeout: 30 * time.Second, SockFD: 3}, ""},
		{[]string{"index=0", "size=9", "timeout=0", "export=r", "server=a:1"}, NBDSupervisor{}, `nbd supervisor: argument "timeout=0": expected timeout=<1-3600 seconds>`},
		{[]string{"index=0", "size=9", "sock=2", "export=r", "server=a:1"}, NBDSupervisor{}, `nbd supervisor: argument "sock=2": expected sock=<file descriptor from 3>`},
		{[]string{"index=3", "size=1", "export=", "server=[fd00::1]:10809", "server=b:1"}, NBDSupervisor{Index: 3, Export: "", Servers: []string{"[fd00::1]:10809", "b:1"}, Size: 1}, ""},
		{[]string{"index=0", "size=0", "export=r", "server=a:1"}, NBDSupervisor{}, `nbd supervisor: argument "size=0": expected size=<bytes>, not zero`},
		{[]string{"index=0", "export=r", "server=a:1"}, NBDSupervisor{}, `nbd supervisor: missing size=<bytes>`},
		{[]string{"index=x", "export=r", "server=a:1"}, NBDSupervisor{}, `nbd supervisor: argument "index=x": expected index=<0-32767>`},
		{[]string{"index=0", "size=9", "export=r", "server=a"}, NBDSupervisor{}, `nbd supervisor: argument "server=a": missing :<port>; expected server=<host>:<port>`},
		{[]string{"index=0", "size=9", "export=r", "server=a:0"}, NBDSupervisor{}, `nbd supervisor: argument "server=a:0": port 0 is out of range 1-65535; expected server=<host>:<port>`},
		{[]string{"index=0", "size=9", "export=r", "server=[fd00::1:10809"}, NBDSupervisor{}, `nbd supervisor: argument "server=[fd00::1:10809": missing ']' after the IPv6 server; expected server=<host>:<port>`},
		{[]string{"index=0", "size=9", "export=r", "bogus"}, NBDSupervisor{}, `nbd supervisor: argument "bogus": expected index=, size=, timeout=, sock=, export= or server=`},
		{[]string{"size=9", "export=r", "server=a:1"}, NBDSupervisor{}, `nbd supervisor: missing index=<N>`},
		{[]string{"index=0", "size=9", "server=a:1"}, NBDSupervisor{}, `nbd supervisor: missing export=<name>`},
		{[]string{"index=0", "size=9", "export=r"}, NBDSupervisor{}, `nbd supervisor: missing server=<host>:<port>`},
	}
	for _, tt := range tests {
		got, err := ParseNBDSupervisorArgs(tt.args)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseNBDSupervisorArgs(%q) error = %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseNBDSupervisorArgs(%q) = %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
}

func TestNBDSupervisorArgvRoundTrip(t *testing.T) {
	s := NBDSupervisor{Index: 2, Size: 1 << 30, Export: "root fs", Servers: []string{"10.99.0.1:10809", "[fd00::2]:10810"}}
	argv := s.Argv()
	if argv[0] != "@goinit-nbd2" {
		t.Errorf("argv[0] = %q, want @goinit-nbd2", argv[0])
	}
	got, err := ParseNBDSupervisorArgs(argv[1:])
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Errorf("round trip of %q = %+v, %v; want %+v", argv, got, err, s)
	}
}

func TestNBDReconnectSettings(t *testing.T) {
	tests := []struct {
		params            map[string]string
		deadconn, timeout time.Duration
		err               string
	}{
		{nil, 60 * time.Second, 10 * time.Second, ""},
		{map[string]string{"goinit.nbd.deadconn": "120", "goinit.nbd.timeout": "0"}, 120 * time.Second, 0, ""},
		{map[string]string{"goinit.nbd.deadconn": "1.5"}, 0, 0, `cmdline: goinit.nbd.deadconn="1.5": expected whole seconds 0-3600 (how long I/O waits for a reconnect; 0: the kernel's default)`},
		{map[string]string{"goinit.nbd.timeout": "3601"}, 0, 0, `cmdline: goinit.nbd.timeout="3601": expected whole seconds 0-3600 (after how long an unanswered request marks the connection dead; 0: the kernel's default)`},
	}
	for _, tt := range tests {
		var r NBDRoot
		err := nbdReconnectSettings(mapCmdline(tt.params), &r)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%v: error = %v, want %q", tt.params, err, tt.err)
			}
			continue
		}
		if err != nil || r.DeadConnTimeout != tt.deadconn || r.Timeout != tt.timeout {
			t.Errorf("%v: deadconn %s timeout %s (%v), want %s %s", tt.params, r.DeadConnTimeout, r.Timeout, err, tt.deadconn, tt.timeout)
		}
	}
}

// mapCmdline is a Cmdline of single values.
type mapCmdline map[string]string

func (m mapCmdline) Get(k string) (string, bool) { v, ok := m[k]; return v, ok }
func (m mapCmdline) Has(k string) bool           { _, ok := m[k]; return ok }
func (m mapCmdline) All(k string) []string {
	if v, ok := m[k]; ok {
		return []string{v}
	}
	return nil
}

func TestParseSetsNBDReconnectTimeouts(t *testing.T) {
	a, err := Parse(mapCmdline{"root": "nbd:10.99.0.1:root", "goinit.nbd.deadconn": "90"}, Env{})
	if err != nil {
		t.Fatal(err)
	}
	r := a.(*nbdAttacher).root
	if r.DeadConnTimeout != 90*time.Second || r.Timeout != NBDDefaultTimeout {
		t.Errorf("deadconn %s timeout %s, want 1m30s and %s", r.DeadConnTimeout, r.Timeout, NBDDefaultTimeout)
	}
	if _, err := Parse(mapCmdline{"root": "nbd:10.99.0.1:root", "goinit.nbd.timeout": "x"}, Env{}); err == nil {
		t.Error("goinit.nbd.timeout=x was accepted")
	}
}

func TestNBDSupervision(t *testing.T) {
	one := NewNBD(NBDRoot{Server: "10.99.0.1", Port: 10809, Export: "root", Device: 1}, Env{})
	s, ok := NBDSupervision(one)
	want := NBDSupervisor{Index: 1, Export: "root", Servers: []string{"10.99.0.1:10809"}}
	if !ok || !reflect.DeepEqual(s, want) {
		t.Errorf("single: %+v %v, want %+v", s, ok, want)
	}
	alt := NewNBD(NBDRoot{Server: "10.99.0.2", Port: 10809, Export: "root", Device: 1}, Env{})
	other := NewNBD(NBDRoot{Server: "10.99.0.3", Port: 10809, Export: "else", Device: 1}, Env{})
	m := &multi{list: []Attacher{one, alt, other}}
	if _, ok := NBDSupervision(m); ok {
		t.Error("a multi root that has not attached is supervised")
	}
	m.won = alt
	s, ok = NBDSupervision(m)
	want = NBDSupervisor{Index: 1, Export: "root", Servers: []string{"10.99.0.2:10809", "10.99.0.1:10809"}}
	if !ok || !reflect.DeepEqual(s, want) {
		t.Errorf("multi: %+v %v, want %+v", s, ok, want)
	}
	if _, ok := NBDSupervision(&nfs{}); ok {
		t.Error("an NFS root is supervised")
	}
}

func TestNBDDeviceSize(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "sys/block/nbd0"), 0o755)
	os.WriteFile(filepath.Join(root, "sys/block/nbd0/size"), []byte("2048\n"), 0o644)
	if n, err := nbdDeviceSize(root, 0); err != nil || n != 1<<20 {
		t.Errorf("size = %d, %v; want 1048576", n, err)
	}
	_, err := nbdDeviceSize(root, 1)
	if want := "read the device size: open " + root + "/sys/block/nbd1/size: no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestNBDLinkDeadIndex(t *testing.T) {
	msg := nbdGenlMessage(nbdCmdLinkDead, nbdNLAU32(nil, nbdAttrIndex, 7))
	if i, ok := nbdLinkDeadIndex(msg); !ok || i != 7 {
		t.Errorf("link dead = %d %v, want 7", i, ok)
	}
	if _, ok := nbdLinkDeadIndex(nbdGenlMessage(nbdCmdConnect, nbdNLAU32(nil, nbdAttrIndex, 7))); ok {
		t.Error("a connect message is taken for link dead")
	}
	for _, b := range [][]byte{nil, {4}, {4, 1, 0, 0, 0xff, 0xff}} {
		if _, ok := nbdLinkDeadIndex(b); ok {
			t.Errorf("%x is taken for link dead", b)
		}
	}
}

func FuzzNBDLinkDeadIndex(f *testing.F) {
	f.Add(nbdGenlMessage(nbdCmdLinkDead, nbdNLAU32(nil, nbdAttrIndex, 7)))
	f.Add([]byte{4, 1, 0, 0, 8, 0})
	f.Fuzz(func(t *testing.T, b []byte) { nbdLinkDeadIndex(b) })
}

func FuzzParseNBDSupervisorArgs(f *testing.F) {
	f.Add("index=0\x00size=4096\x00export=root\x00server=10.99.0.1:10809")
	f.Add("index=1\x00size=1\x00export=\x00server=[fd00::1]:1")
	f.Add("index=1\x00size=1\x00timeout=15\x00sock=3\x00export=\x00server=a:1")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseNBDSupervisorArgs(strings.Split(s, "\x00"))
		if err != nil {
			return
		}
		again, err := ParseNBDSupervisorArgs(got.Argv()[1:])
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("round trip of %+v = %+v, %v", got, again, err)
		}
	})
}

// nbdFakeReconfigure records NBD_CMD_RECONFIGURE calls.
type nbdFakeReconfigure struct {
	mu   sync.Mutex
	reqs []NBDReconfigureRequest
	err  error
}

func (k *nbdFakeReconfigure) reconfigure(r NBDReconfigureRequest) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, err := os.Stat(fmt.Sprintf("/proc/self/fd/%d", r.FD)); err != nil {
		return fmt.Errorf("fd %d is not open: %w", r.FD, err)
	}
	k.reqs = append(k.reqs, r)
	return k.err
}

func nbdTestReconnector(t *testing.T, k *nbdFakeReconfigure, size uint64, servers ...string) (*nbdReconnector, *[]string) {
	var logs []string
	r := newNBDReconnector(NBDSupervisor{Index: 0, Size: size, Export: "root", Servers: servers}, func(f string, a ...any) {
		logs = append(logs, fmt.Sprintf(f, a...))
	})
	r.reconfigure = k.reconfigure
	r.backoffMin, r.backoffMax = 5*time.Millisecond, 20*time.Millisecond
	return r, &logs
}

// nbdDeadAddr is a loopback address with nothing listening.
func nbdDeadAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestNBDReconnectToAlternative(t *testing.T) {
	port := nbdLoopbackServer(t, nbdServeExport(1<<20, NBDFlagHasFlags|NBDFlagReadOnly))
	good := fmt.Sprintf("127.0.0.1:%d", port)
	k := &nbdFakeReconfigure{}
	r, logs := nbdTestReconnector(t, k, 1<<20, nbdDeadAddr(t), good)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addr, err := r.reconnect(ctx)
	if err != nil || addr != good {
		t.Fatalf("reconnect = %q, %v; want %s", addr, err, good)
	}
	if len(k.reqs) != 1 || k.reqs[0].Index != 0 {
		t.Errorf("reconfigure calls %+v, want one for index 0", k.reqs)
	}
	if len(*logs) != 1 || !strings.Contains((*logs)[0], "connection refused") {
		t.Errorf("logs %q, want one line about the refused first server", *logs)
	}
	if r.next != 1 {
		t.Errorf("next server %d, want 1 (the one that worked)", r.next)
	}
}

func TestNBDReconnectRefusesOtherImage(t *testing.T) {
	port := nbdLoopbackServer(t, nbdServeExport(1<<20, NBDFlagHasFlags))
	k := &nbdFakeReconfigure{}
	r, logs := nbdTestReconnector(t, k, 2<<20, fmt.Sprintf("127.0.0.1:%d", port))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := r.reconnect(ctx)
	if err == nil || !strings.Contains(err.Error(), "context deadline exceeded") {
		t.Fatalf("reconnect error = %v, want the deadline", err)
	}
	want := fmt.Sprintf(`reconnect /dev/nbd0: round 1: nbd 127.0.0.1:%d export "root": size 1048576 bytes, but /dev/nbd0 has 2097152: not the same image`, port)
	if len(*logs) == 0 || (*logs)[0] != want {
		t.Errorf("logs %q, want first %q", *logs, want)
	}
	if len(k.reqs) != 0 {
		t.Errorf("the kernel got a socket to another image: %+v", k.reqs)
	}
}

func TestNBDReconnectNothingDead(t *testing.T) {
	port := nbdLoopbackServer(t, nbdServeExport(1<<20, NBDFlagHasFlags))
	k := &nbdFakeReconfigure{err: fmt.Errorf("nbd reconfigure /dev/nbd0: %w", syscall.ENOSPC)}
	r, _ := nbdTestReconnector(t, k, 1<<20, fmt.Sprintf("127.0.0.1:%d", port))
	_, err := r.reconnect(context.Background())
	if err == nil || !strings.Contains(err.Error(), errNBDNotDead.Error()) {
		t.Errorf("reconnect error = %v, want %q", err, errNBDNotDead)
	}
}
