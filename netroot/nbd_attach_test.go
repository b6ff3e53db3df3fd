package netroot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// nbdLoopbackServer serves one script per connection on 127.0.0.1 and returns the port.
func nbdLoopbackServer(t *testing.T, script func(s *nbdFakeServer)) uint16 {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				script(&nbdFakeServer{c: c})
			}()
		}
	}()
	return uint16(ln.Addr().(*net.TCPAddr).Port)
}

// nbdFakeKernel stands in for the nbd driver: it records the request and makes the device
// appear under root.
type nbdFakeKernel struct {
	root         string
	sectors      string // what /sys/block/nbdN/size holds; "" leaves the device missing
	err          error
	mu           sync.Mutex
	reqs         []NBDConnectRequest
	disconnected []int
}

func (k *nbdFakeKernel) connect(r NBDConnectRequest) (int, error) {
	k.mu.Lock()
	k.reqs = append(k.reqs, r)
	k.mu.Unlock()
	if k.err != nil {
		return -1, k.err
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/self/fd/%d", r.FD)); err != nil {
		return -1, fmt.Errorf("fd %d is not open: %w", r.FD, err)
	}
	if k.sectors != "" {
		name := fmt.Sprintf("nbd%d", r.Index)
		os.MkdirAll(filepath.Join(k.root, "sys/block", name), 0o755)
		os.MkdirAll(filepath.Join(k.root, "dev"), 0o755)
		os.WriteFile(filepath.Join(k.root, "sys/block", name, "size"), []byte(k.sectors+"\n"), 0o644)
		os.WriteFile(filepath.Join(k.root, "dev", name), nil, 0o644)
	}
	return r.Index, nil
}

func (k *nbdFakeKernel) disconnect(index int) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.disconnected = append(k.disconnected, index)
	return nil
}

func nbdTestAttacher(r NBDRoot, k *nbdFakeKernel) *nbdAttacher {
	a := NewNBD(r, Env{}).(*nbdAttacher)
	a.connect = k.connect
	a.disconnect = k.disconnect
	a.sysRoot = k.root
	a.backoffMin = 10 * time.Millisecond
	a.backoffMax = 40 * time.Millisecond
	return a
}

func nbdServeExport(size uint64, flags uint16) func(s *nbdFakeServer) {
	return func(s *nbdFakeServer) {
		s.greet(nbdFixedNoZeroes)
		s.option()
		s.infoExport(size, flags)
		s.infoBlockSize(1, 4096, 32<<20)
		s.reply(nbdOptGo, nbdRepAck, nil)
	}
}

func TestNBDAttach(t *testing.T) {
	tests := []struct {
		name   string
		root   NBDRoot
		flags  uint16
		want   Mount
		wantBS uint32
	}{
		{
			name:  "read-only export",
			root:  NBDRoot{Export: "root", Device: 3, FSType: "ext4", Options: "noatime", Timeout: 30 * time.Second, DeadConnTimeout: time.Minute},
			flags: NBDFlagHasFlags | NBDFlagReadOnly,
			want:  Mount{Source: "/dev/nbd3", FSType: "ext4", Data: "noatime", Flags: 1},
		},
		{
			name:  "rw asked, export writable",
			root:  NBDRoot{Export: "root"},
			flags: NBDFlagHasFlags | NBDFlagSendFlush,
			want:  Mount{Source: "/dev/nbd0"},
		},
		{
			name:  "ro asked, export writable",
			root:  NBDRoot{Export: "root", ReadOnly: true},
			flags: NBDFlagHasFlags | NBDFlagSendFlush,
			want:  Mount{Source: "/dev/nbd0", Flags: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.root
			r.Server = "127.0.0.1"
			r.Port = nbdLoopbackServer(t, nbdServeExport(64<<20, tt.flags))
			k := &nbdFakeKernel{root: t.TempDir(), sectors: "131072"}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			m, err := nbdTestAttacher(r, k).Attach(ctx)
			if err != nil {
				t.Fatalf("Attach: %v", err)
			}
			if !reflect.DeepEqual(m, tt.want) {
				t.Errorf("Attach = %+v, want %+v", m, tt.want)
			}
			if len(k.reqs) != 1 {
				t.Fatalf("%d connect requests, want 1", len(k.reqs))
			}
			got := k.reqs[0]
			got.FD = 0
			want := NBDConnectRequest{Index: r.Device, Size: 64 << 20, BlockSize: 512, ServerFlags: tt.flags, Timeout: r.Timeout, DeadConnTimeout: r.DeadConnTimeout}
			if got != want {
				t.Errorf("connect request %+v, want %+v", got, want)
			}
		})
	}
}

func TestNBDAttachErrors(t *testing.T) {
	unknown := func(s *nbdFakeServer) {
		s.greet(nbdFixedNoZeroes)
		s.option()
		s.reply(nbdOptGo, nbdRepErrUnknown, nil)
		s.option()
		s.server("ext4")
		s.reply(nbdOptList, nbdRepAck, nil)
		s.option()
	}
	tests := []struct {
		name       string
		script     func(s *nbdFakeServer)
		sectors    string
		kernelErr  error
		timeout    time.Duration
		want       string // with PORT and ROOT for the test's values
		disconnect bool
	}{
		{
			name:    "unknown export",
			script:  unknown,
			sectors: "8",
			want:    `attach nbd 127.0.0.1:PORT export "root": nbd export "root" not found on 127.0.0.1:PORT; the server offers: "ext4"`,
		},
		{
			name:      "kernel refuses",
			script:    nbdServeExport(4096, NBDFlagHasFlags),
			kernelErr: errors.New("nbd connect /dev/nbd0: device or resource busy (the device is already connected)"),
			want:      `attach nbd 127.0.0.1:PORT export "root": nbd connect /dev/nbd0: device or resource busy (the device is already connected)`,
		},
		{
			name:       "device never ready",
			script:     nbdServeExport(4096, NBDFlagHasFlags),
			timeout:    300 * time.Millisecond,
			want:       `attach nbd 127.0.0.1:PORT export "root": /dev/nbd0 was connected but not ready within 300ms: open ROOT/sys/block/nbd0/size: no such file or directory`,
			disconnect: true,
		},
		{
			name:       "device size stays 0",
			script:     nbdServeExport(4096, NBDFlagHasFlags),
			sectors:    "0",
			timeout:    300 * time.Millisecond,
			want:       `attach nbd 127.0.0.1:PORT export "root": /dev/nbd0 was connected but not ready within 300ms: ROOT/sys/block/nbd0/size is 0`,
			disconnect: true,
		},
		{
			name:   "export smaller than a block",
			script: nbdServeExport(100, NBDFlagHasFlags),
			want:   `attach nbd 127.0.0.1:PORT export "root": export "root" has 100 bytes, less than one 512-byte block`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port := nbdLoopbackServer(t, tt.script)
			k := &nbdFakeKernel{root: t.TempDir(), sectors: tt.sectors, err: tt.kernelErr}
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			_, err := nbdTestAttacher(NBDRoot{Server: "127.0.0.1", Port: port, Export: "root"}, k).Attach(ctx)
			want := strings.NewReplacer("PORT", strconv.Itoa(int(port)), "ROOT", k.root).Replace(tt.want)
			if err == nil || err.Error() != want {
				t.Fatalf("Attach error\n got: %v\nwant: %s", err, want)
			}
			if got := len(k.disconnected) == 1 && k.disconnected[0] == 0; got != tt.disconnect {
				t.Errorf("disconnected %v, want disconnect %v", k.disconnected, tt.disconnect)
			}
		})
	}
}

func TestNBDAttachDialRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	ln.Close() // nothing listens there now
	k := &nbdFakeKernel{root: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err = nbdTestAttacher(NBDRoot{Server: "127.0.0.1", Port: port, Export: "root"}, k).Attach(ctx)
	if err == nil {
		t.Fatal("Attach succeeded with no server")
	}
	prefix := fmt.Sprintf(`attach nbd 127.0.0.1:%d export "root": dial tcp 127.0.0.1:%d: connect: connection refused (gave up at the deadline after `, port, port)
	if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), " attempts in ") {
		t.Fatalf("Attach error\n got: %v\nwant: %s<n> attempts in <duration>)", err, prefix)
	}
	var n int
	fmt.Sscanf(strings.TrimPrefix(err.Error(), prefix), "%d", &n)
	if n < 3 {
		t.Errorf("Attach tried %d times in 500ms with 10-40ms back-off, want more", n)
	}
	if len(k.reqs) != 0 {
		t.Errorf("kernel got %d requests without a server", len(k.reqs))
	}
}

func TestNBDAttachDialRetries(t *testing.T) {
	port := nbdLoopbackServer(t, nbdServeExport(1<<20, NBDFlagHasFlags))
	k := &nbdFakeKernel{root: t.TempDir(), sectors: "2048"}
	a := nbdTestAttacher(NBDRoot{Server: "127.0.0.1", Port: port, Export: "root"}, k)
	var attempts []time.Time
	realDial := a.dial
	a.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		attempts = append(attempts, time.Now())
		if len(attempts) < 4 {
			return nil, errors.New("dial tcp " + addr + ": connect: connection refused")
		}
		return realDial(ctx, network, addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := a.Attach(ctx); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	if len(attempts) != 4 {
		t.Fatalf("%d dial attempts, want 4", len(attempts))
	}
	// Back-off 10ms, 20ms, 40ms: the gaps must grow to at least those.
	for i, min := range []time.Duration{10, 20, 40} {
		if gap := attempts[i+1].Sub(attempts[i]); gap < min*time.Millisecond {
			t.Errorf("gap before attempt %d is %s, want at least %dms", i+2, gap, min)
		}
	}
}

func TestNBDAttachCanceledDuringDial(t *testing.T) {
	k := &nbdFakeKernel{root: t.TempDir()}
	a := nbdTestAttacher(NBDRoot{Server: "10.99.0.1", Port: 10809, Export: "root"}, k)
	a.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, errors.New("dial tcp " + addr + ": connect: no route to host")
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := a.Attach(ctx)
	const prefix = `attach nbd 10.99.0.1:10809 export "root": dial tcp 10.99.0.1:10809: connect: no route to host (canceled after `
	if err == nil || !strings.HasPrefix(err.Error(), prefix) {
		t.Fatalf("Attach error\n got: %v\nwant prefix: %s", err, prefix)
	}
}

func TestNBDAttachNoFD(t *testing.T) {
	k := &nbdFakeKernel{root: t.TempDir(), sectors: "8"}
	a := nbdTestAttacher(NBDRoot{Server: "10.99.0.1", Port: 10809, Export: "root"}, k)
	a.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		cli, srv := net.Pipe()
		go func() {
			defer srv.Close()
			nbdServeExport(4096, NBDFlagHasFlags)(&nbdFakeServer{c: srv})
		}()
		return cli, nil
	}
	_, err := a.Attach(context.Background())
	const want = `attach nbd 10.99.0.1:10809 export "root": nbd connect /dev/nbd0: connection *net.pipe has no file descriptor`
	if err == nil || err.Error() != want {
		t.Fatalf("Attach error\n got: %v\nwant: %s", err, want)
	}
}

func TestNBDKernelBlockSize(t *testing.T) {
	tests := []struct {
		e    Export
		page int
		want uint32
		err  string
	}{
		{Export{Size: 1 << 20}, 4096, 512, ""},
		{Export{Size: 1 << 20, MinBlock: 1, PrefBlock: 4096, MaxBlock: 32 << 20}, 4096, 512, ""},
		{Export{Size: 1 << 20, MinBlock: 512, PrefBlock: 4096, MaxBlock: 4096}, 4096, 512, ""},
		{Export{Size: 1 << 20, MinBlock: 2048, PrefBlock: 4096, MaxBlock: 1 << 20}, 4096, 2048, ""},
		{Export{Size: 1 << 20, MinBlock: 4096, PrefBlock: 4096, MaxBlock: 1 << 20}, 4096, 4096, ""},
		{Export{Size: 512}, 4096, 512, ""},
		{Export{Name: "r", Size: 1 << 20, MinBlock: 8192, PrefBlock: 8192, MaxBlock: 1 << 20}, 4096, 0, `export "r" needs blocks of at least 8192 bytes; the kernel's limit is 4096`},
		{Export{Name: "r", Size: 1 << 20, MinBlock: 8192, PrefBlock: 8192, MaxBlock: 1 << 20}, 65536, 8192, ""},
		{Export{Name: "r", Size: 1 << 20, MinBlock: 1, PrefBlock: 256, MaxBlock: 256}, 4096, 0, `export "r" takes blocks of at most 256 bytes; the kernel needs 512`},
		{Export{Name: "r", Size: 511}, 4096, 0, `export "r" has 511 bytes, less than one 512-byte block`},
		{Export{Name: "r", Size: 1 << 63}, 4096, 0, `export "r" has 9223372036854775808 bytes, more than the kernel can address`},
	}
	for _, tt := range tests {
		got, err := nbdKernelBlockSize(&tt.e, tt.page)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.err {
			t.Errorf("nbdKernelBlockSize(%+v, %d) = %d, %q; want %d, %q", tt.e, tt.page, got, gotErr, tt.want, tt.err)
		}
	}
}

func TestNBDAttachLoadsModule(t *testing.T) {
	tests := []struct {
		name    string
		loadErr error
		want    string // Attach's error, "" for success
		dials   int
	}{
		{name: "loaded before the dial", dials: 1},
		{
			name:    "load fails",
			loadErr: errors.New(`load module "nbd": not in the image's modules.dep`),
			want:    `attach nbd 10.99.0.1:10809 export "root": load the nbd module: load module "nbd": not in the image's modules.dep`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := &nbdFakeKernel{root: t.TempDir(), sectors: "8"}
			var events []string
			env := Env{LoadModule: func(ctx context.Context, name string) error {
				events = append(events, "load "+name)
				return tt.loadErr
			}}
			a := NewNBD(NBDRoot{Server: "10.99.0.1", Export: "root"}, env).(*nbdAttacher)
			a.connect, a.disconnect, a.sysRoot = k.connect, k.disconnect, k.root
			dials := 0
			a.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
				events = append(events, "dial "+addr)
				dials++
				return nbdPipeConn(t, nbdServeExport(4096, NBDFlagHasFlags))
			}
			_, err := a.Attach(context.Background())
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tt.want || dials != tt.dials {
				t.Fatalf("Attach error %q after %d dials, want %q after %d", gotErr, dials, tt.want, tt.dials)
			}
			if events[0] != "load nbd" {
				t.Errorf("events %q, want the nbd module loaded first", events)
			}
		})
	}
}

// nbdPipeConn is a loopback TCP connection whose far end runs script, so the attacher gets a
// socket with a file descriptor to hand to the (fake) kernel.
func nbdPipeConn(t *testing.T, script func(s *nbdFakeServer)) (net.Conn, error) {
	port := nbdLoopbackServer(t, script)
	return net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port))))
}
