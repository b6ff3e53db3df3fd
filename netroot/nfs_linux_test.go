package netroot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestNFSMounts(t *testing.T) {
	seed := NFSRoot{Server: "10.99.0.1", Path: "/export", Options: []string{"ro", "nolock"}}
	tests := []struct {
		name string
		r    NFSRoot
		want []Mount
	}{
		{"root=/dev/nfs (the seed's line): v3 then v4.2", withV3First(seed), []Mount{
			{Source: "10.99.0.1:/export", FSType: "nfs", Data: "vers=3,addr=10.99.0.1,proto=tcp,mountproto=tcp,timeo=100,nolock", Flags: unix.MS_RDONLY},
			{Source: "10.99.0.1:/export", FSType: "nfs4", Data: "vers=4.2,addr=10.99.0.1,timeo=100,nolock", Flags: unix.MS_RDONLY},
		}},
		{"root=nfs: without a version: v4.2 then v3", seed, []Mount{
			{Source: "10.99.0.1:/export", FSType: "nfs4", Data: "vers=4.2,addr=10.99.0.1,timeo=100,nolock", Flags: unix.MS_RDONLY},
			{Source: "10.99.0.1:/export", FSType: "nfs", Data: "vers=3,addr=10.99.0.1,proto=tcp,mountproto=tcp,timeo=100,nolock", Flags: unix.MS_RDONLY},
		}},
		{"v3 named, defaults added", NFSRoot{Server: "10.0.0.1", Path: "/e", Version: "3"}, []Mount{
			{Source: "10.0.0.1:/e", FSType: "nfs", Data: "vers=3,addr=10.0.0.1,nolock,proto=tcp,mountproto=tcp,timeo=100", Flags: unix.MS_RDONLY},
		}},
		{"v3 with the user's own lock and proto: UDP keeps the kernel's timeout", NFSRoot{Server: "10.0.0.1", Path: "/e", Version: "3", Options: []string{"lock", "proto=udp", "mountproto=udp", "port=2050"}}, []Mount{
			{Source: "10.0.0.1:/e", FSType: "nfs", Data: "vers=3,addr=10.0.0.1,lock,proto=udp,mountproto=udp,port=2050", Flags: unix.MS_RDONLY},
		}},
		{"v3 udp flag", NFSRoot{Server: "10.0.0.1", Path: "/e", Version: "3", Options: []string{"udp"}}, []Mount{
			{Source: "10.0.0.1:/e", FSType: "nfs", Data: "vers=3,addr=10.0.0.1,nolock,mountproto=tcp,udp", Flags: unix.MS_RDONLY},
		}},
		{"the last of udp and tcp wins", NFSRoot{Server: "10.0.0.1", Path: "/e", Version: "3", Options: []string{"udp", "proto=tcp"}}, []Mount{
			{Source: "10.0.0.1:/e", FSType: "nfs", Data: "vers=3,addr=10.0.0.1,nolock,mountproto=tcp,timeo=100,udp,proto=tcp", Flags: unix.MS_RDONLY},
		}},
		{"the user's timeo wins", NFSRoot{Server: "10.0.0.1", Path: "/e", Options: []string{"timeo=600", "retrans=5"}}, []Mount{
			{Source: "10.0.0.1:/e", FSType: "nfs4", Data: "vers=4.2,addr=10.0.0.1,timeo=600,retrans=5", Flags: unix.MS_RDONLY},
			{Source: "10.0.0.1:/e", FSType: "nfs", Data: "vers=3,addr=10.0.0.1,nolock,proto=tcp,mountproto=tcp,timeo=600,retrans=5", Flags: unix.MS_RDONLY},
		}},
		{"nfs4 rw and flags", NFSRoot{Server: "10.0.0.1", Path: "/e", Version: "4", Options: []string{"rw", "noatime", "nosuid", "_netdev", "x-systemd.foo", "rsize=8192"}}, []Mount{
			{Source: "10.0.0.1:/e", FSType: "nfs4", Data: "vers=4,addr=10.0.0.1,timeo=100,rsize=8192", Flags: unix.MS_NOATIME | unix.MS_NOSUID},
		}},
		{"user addr kept, IPv6 source", NFSRoot{Server: "fd00::1", Path: "/e", Version: "4.1", Options: []string{"addr=fd00::2"}}, []Mount{
			{Source: "[fd00::1]:/e", FSType: "nfs4", Data: "vers=4.1,timeo=100,addr=fd00::2", Flags: unix.MS_RDONLY},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NewNFS(tt.r).(*nfs).Mounts()
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestNFSAttachReachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	a := NewNFS(NFSRoot{Server: "127.0.0.1", Path: "/export", Options: []string{"port=" + strconv.Itoa(port)}})
	if a.String() != "nfs 127.0.0.1:/export" {
		t.Errorf("String = %q", a.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := a.Attach(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.FSType != "nfs4" || !strings.HasPrefix(m.Data, "vers=4.2,addr=127.0.0.1") {
		t.Fatalf("Attach returned %+v, want the v4.2 mount first", m)
	}
}

func TestNFSAttachRefused(t *testing.T) {
	// A port nobody listens on: bind one, note it, close it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	a := NewNFS(NFSRoot{Server: "127.0.0.1", Path: "/export", Options: []string{fmt.Sprintf("port=%d", port)}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err = a.Attach(ctx)
	if err == nil {
		t.Fatal("Attach succeeded against a closed port")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Attach took %s, past its 2s deadline", d)
	}
	// 2s with pauses of 0.5, 1, (2): three tries, unless the machine is very busy.
	want := regexp.MustCompile(fmt.Sprintf(`^attach nfs 127\.0\.0\.1:/export: server 127\.0\.0\.1:%d unreachable after [23] tries in 2(\.[0-9])?s: connection refused$`, port))
	if !want.MatchString(err.Error()) {
		t.Fatalf("error\n got %q\nwant %s", err, want)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error does not wrap ECONNREFUSED")
	}
}

func TestNFSAttachTimeoutAndName(t *testing.T) {
	a := &nfs{r: NFSRoot{Server: "10.99.0.1", Path: "/export"}, dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		<-ctx.Done()
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: ctx.Err()}
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := a.Attach(ctx)
	re := regexp.MustCompile(`^attach nfs 10\.99\.0\.1:/export: server 10\.99\.0\.1:2049 unreachable after 1 try in [0-9.]+m?s: no answer$`)
	if err == nil || !re.MatchString(err.Error()) {
		t.Fatalf("error\n got %v\nwant %s", err, re)
	}
	_, err = NewNFS(NFSRoot{Server: "nfs.example", Path: "/e"}).Attach(context.Background())
	want := `attach nfs nfs.example:/e: server "nfs.example" is not an IP address (goinit does not resolve host names: give the server's IP)`
	if err == nil || err.Error() != want {
		t.Fatalf("error\n got %v\nwant %s", err, want)
	}
}

func TestExplainMountError(t *testing.T) {
	v4 := Mount{Source: "10.99.0.1:/export", FSType: "nfs4", Data: "vers=4.2,addr=10.99.0.1"}
	v3 := Mount{Source: "10.99.0.1:/export", FSType: "nfs", Data: "vers=3,addr=10.99.0.1,nolock"}
	wrap := func(e error) error { return fmt.Errorf("mount 10.99.0.1:/export on /newroot: %w", e) }
	tests := []struct {
		err  error
		m    Mount
		want string
	}{
		{wrap(unix.ENOENT), v4, `the server 10.99.0.1 refused the export "/export" (NFS v4.2): check the path and that the export allows this client`},
		{wrap(unix.EACCES), v3, `the server 10.99.0.1 refused the export "/export" (NFS v3): check the path and that the export allows this client`},
		{wrap(unix.EPROTONOSUPPORT), v4, "the kernel has no NFS v4.2 client (nfs4): the nfs and nfsv4 modules are missing from the image or were not loaded"},
		{wrap(unix.ETIMEDOUT), v3, "the server 10.99.0.1 did not answer the NFS v3 mount in time: is the NFS server running and reachable?"},
		{wrap(unix.ECONNREFUSED), v3, "the server 10.99.0.1 refused the connection: NFS v3 also needs rpcbind (port 111) and mountd on the server"},
		{wrap(unix.EINVAL), v4, `the kernel rejected the NFS mount options "vers=4.2,addr=10.99.0.1"`},
		{wrap(unix.EBUSY), v4, ""},
	}
	for _, tt := range tests {
		if got := ExplainMountError(tt.err, tt.m); got != tt.want {
			t.Errorf("ExplainMountError(%v)\n got %q\nwant %q", tt.err, got, tt.want)
		}
	}
}

func withV3First(r NFSRoot) NFSRoot {
	r.V3First = true
	return r
}
