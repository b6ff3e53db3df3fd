package netroot

import (
	"net/netip"
	"reflect"
	"testing"
)

func TestParseNFS(t *testing.T) {
	tests := []struct {
		line string
		want NFSRoot
	}{
		// the seed's append line, verbatim
		{"nfsroot=10.99.0.1:/export,ro,nolock root=/dev/nfs",
			NFSRoot{Server: "10.99.0.1", Path: "/export", Options: []string{"ro", "nolock"}, V3First: true}},
		{"root=/dev/nfs nfsroot=192.168.1.1:/fs/nfs/puppy,ro,nolock",
			NFSRoot{Server: "192.168.1.1", Path: "/fs/nfs/puppy", Options: []string{"ro", "nolock"}, V3First: true}},
		{"root=/dev/nfs nfsroot=/export", NFSRoot{Path: "/export", V3First: true}},
		{"root=/dev/nfs nfsroot=/srv/%s,vers=3", NFSRoot{Path: "/srv/%s", Version: "3", V3First: true}},
		{"root=/dev/nfs nfsroot=10.0.0.1:/e,nfsvers=4.1,rsize=8192", NFSRoot{Server: "10.0.0.1", Path: "/e", Version: "4.1", Options: []string{"rsize=8192"}, V3First: true}},
		{"root=/dev/nfs nfsroot=10.0.0.1:/e,v3,tcp", NFSRoot{Server: "10.0.0.1", Path: "/e", Version: "3", Options: []string{"tcp"}, V3First: true}},
		{"root=/dev/nfs nfsroot=[fd00::1]:/export,ro", NFSRoot{Server: "fd00::1", Path: "/export", Options: []string{"ro"}, V3First: true}},
		{"root=/dev/nfs nfsroot=:/export", NFSRoot{Path: "/export", V3First: true}},
		{"root=/dev/nfs", NFSRoot{V3First: true}},
		{"root=/dev/nfs rw", NFSRoot{Options: []string{"rw"}, V3First: true}},
		{"root=/dev/nfs nfsroot=10.0.0.1:/e,ro rw", NFSRoot{Server: "10.0.0.1", Path: "/e", Options: []string{"ro"}, V3First: true}},
		{"root=/dev/nfs nfsroot=10.0.0.1:/e ro rw", NFSRoot{Server: "10.0.0.1", Path: "/e", V3First: true}},
		// dracut's forms
		{"root=nfs:10.99.0.1:/export", NFSRoot{Server: "10.99.0.1", Path: "/export"}},
		{"root=nfs:10.99.0.1:/export:ro,nolock", NFSRoot{Server: "10.99.0.1", Path: "/export", Options: []string{"ro", "nolock"}}},
		{"root=nfs:/export:vers=3", NFSRoot{Path: "/export", Version: "3"}},
		{"root=nfs:[fd00::1]:/export:ro", NFSRoot{Server: "fd00::1", Path: "/export", Options: []string{"ro"}}},
		{"root=nfs4:10.99.0.1:/export", NFSRoot{Server: "10.99.0.1", Path: "/export", Version: "4"}},
		{"root=nfs4:10.99.0.1:/export:vers=4.2,ro", NFSRoot{Server: "10.99.0.1", Path: "/export", Version: "4.2", Options: []string{"ro"}}},
		{"root=nfs4:10.99.0.1:/export:nfsvers=3", NFSRoot{Server: "10.99.0.1", Path: "/export", Version: "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			c := ipCmd(tt.line)
			if !IsNFSRoot(c) {
				t.Fatalf("IsNFSRoot = false")
			}
			got, err := ParseNFS(c)
			if err != nil {
				t.Fatalf("ParseNFS: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseNFSErrors(t *testing.T) {
	nfsroot := ": expected [<server-ip>:]<path>[,<nfs-options>], e.g. nfsroot=10.99.0.1:/export,ro,nolock"
	rootnfs := ": expected nfs:[<server-ip>:]<path>[:<nfs-options>] or nfs4:…, e.g. root=nfs:10.99.0.1:/export:ro"
	tests := []struct{ line, want string }{
		{"root=/dev/nfs nfsroot=nfs.example:/export", `cmdline: nfsroot="nfs.example:/export": server "nfs.example" is not an IP address (goinit does not resolve host names: give the server's IP)` + nfsroot},
		{"root=/dev/nfs nfsroot=10.99.0.1:export", `cmdline: nfsroot="10.99.0.1:export": export path "export" does not start with /` + nfsroot},
		{"root=/dev/nfs nfsroot=10.99.0.1:", `cmdline: nfsroot="10.99.0.1:": the export path is empty` + nfsroot},
		{"root=/dev/nfs nfsroot=", `cmdline: nfsroot="": the export path is empty` + nfsroot},
		{"root=/dev/nfs nfsroot=10.99.0.1:/export,vers=5", `cmdline: nfsroot="10.99.0.1:/export,vers=5": NFS version "5" in option "vers=5" is not one of 2, 3, 4, 4.0, 4.1, 4.2` + nfsroot},
		{"root=/dev/nfs nfsroot=[fd00::1:/export", `cmdline: nfsroot="[fd00::1:/export": server "[fd00::1:/export" lacks its closing "]:"` + nfsroot},
		{"root=/dev/nfs nfsroot=[10.0.0.1]:/export", `cmdline: nfsroot="[10.0.0.1]:/export": server "10.0.0.1" is not an IPv6 address` + nfsroot},
		{"root=nfs:server:/export", `cmdline: root="nfs:server:/export": server "server" is not an IP address (goinit does not resolve host names: give the server's IP)` + rootnfs},
		{"root=nfs4:10.0.0.1", `cmdline: root="nfs4:10.0.0.1": no export path after server "10.0.0.1"` + rootnfs},
		{"root=nfs:10.0.0.1:/e:v9", `cmdline: root="nfs:10.0.0.1:/e:v9": NFS version "9" in option "v9" is not one of 2, 3, 4, 4.0, 4.1, 4.2` + rootnfs},
		{"root=/dev/vda1", `cmdline: root="/dev/vda1": not an NFS root: expected root=/dev/nfs with nfsroot=, root=nfs:… or root=nfs4:…`},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			_, err := ParseNFS(ipCmd(tt.line))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Fatalf("error\n got %q\nwant %q", err.Error(), tt.want)
			}
		})
	}
}

func TestParseNFSRootPath(t *testing.T) {
	tests := []struct {
		v    string
		want NFSRoot
		err  string
	}{
		{v: "10.99.0.1:/export", want: NFSRoot{Server: "10.99.0.1", Path: "/export"}},
		{v: "10.99.0.1:/export,ro,nolock", want: NFSRoot{Server: "10.99.0.1", Path: "/export", Options: []string{"ro", "nolock"}}},
		{v: "10.99.0.1:/export:ro,nolock", want: NFSRoot{Server: "10.99.0.1", Path: "/export", Options: []string{"ro", "nolock"}}},
		{v: "/export", want: NFSRoot{Path: "/export"}},
		{v: "nfs:10.99.0.1:/export:vers=3", want: NFSRoot{Server: "10.99.0.1", Path: "/export", Version: "3"}},
		{v: "nfs4:10.99.0.1:/export", want: NFSRoot{Server: "10.99.0.1", Path: "/export", Version: "4"}},
		{v: "fileserver:/export", err: `dhcp root-path "fileserver:/export": server "fileserver" is not an IP address (goinit does not resolve host names: give the server's IP): expected [nfs:|nfs4:][<server-ip>:]<path>[:<nfs-options>] or <server-ip>:<path>[,<nfs-options>]`},
		{v: "nfs4:10.0.0.1:", err: `dhcp root-path "nfs4:10.0.0.1:": the export path is empty: expected [nfs:|nfs4:][<server-ip>:]<path>[:<nfs-options>] or <server-ip>:<path>[,<nfs-options>]`},
	}
	for _, tt := range tests {
		got, err := ParseNFSRootPath(tt.v)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseNFSRootPath(%q) error\n got %v\nwant %s", tt.v, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseNFSRootPath(%q): %v", tt.v, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseNFSRootPath(%q)\n got %#v\nwant %#v", tt.v, got, tt.want)
		}
	}
}

func TestNFSResolve(t *testing.T) {
	lease := &Lease{Address: a4("10.99.0.15"), NextServer: a4("10.99.0.2"), ServerID: a4("10.99.0.1"),
		RootPath: "10.99.0.3:/from-dhcp,vers=3"}
	noNext := &Lease{Address: a4("10.99.0.15"), ServerID: a4("10.99.0.1"), NextServer: netip.IPv4Unspecified()}
	tests := []struct {
		name  string
		in    NFSRoot
		lease *Lease
		want  NFSRoot
		err   string
	}{
		{"server kept", NFSRoot{Server: "10.99.0.9", Path: "/e"}, lease, NFSRoot{Server: "10.99.0.9", Path: "/e"}, ""},
		{"next-server first", NFSRoot{Path: "/e"}, lease, NFSRoot{Server: "10.99.0.2", Path: "/e"}, ""},
		{"then server identifier", NFSRoot{Path: "/e"}, noNext, NFSRoot{Server: "10.99.0.1", Path: "/e"}, ""},
		{"%s is the client address", NFSRoot{Server: "10.99.0.9", Path: "/roots/%s"}, lease, NFSRoot{Server: "10.99.0.9", Path: "/roots/10.99.0.15"}, ""},
		{"root path from DHCP", NFSRoot{Options: []string{"rw"}}, lease, NFSRoot{Server: "10.99.0.3", Path: "/from-dhcp", Version: "3", Options: []string{"rw"}}, ""},
		{"kernel default path", NFSRoot{}, noNext, NFSRoot{Server: "10.99.0.1", Path: "/tftpboot/10.99.0.15"}, ""},
		{"no server", NFSRoot{Path: "/e"}, &Lease{Address: a4("10.0.0.2")}, NFSRoot{},
			"nfs root /e: no server: the parameter names none and DHCP gave no next-server or server identifier"},
		{"no lease", NFSRoot{Server: "10.0.0.1", Path: "/r/%s"}, nil, NFSRoot{},
			"nfs root /r/%s: the path holds %s but there is no client address"},
		{"bad DHCP root path", NFSRoot{}, &Lease{RootPath: "host:/x"}, NFSRoot{},
			`dhcp root-path "host:/x": server "host" is not an IP address (goinit does not resolve host names: give the server's IP): expected [nfs:|nfs4:][<server-ip>:]<path>[:<nfs-options>] or <server-ip>:<path>[,<nfs-options>]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.Resolve(tt.lease)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error\n got %v\nwant %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Options) == 0 {
				got.Options = nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestNFSSource(t *testing.T) {
	if got := (NFSRoot{Server: "fd00::1", Path: "/e"}).Source(); got != "[fd00::1]:/e" {
		t.Errorf("IPv6 Source = %q", got)
	}
	if got := (NFSRoot{Server: "10.0.0.1", Path: "/e"}).Source(); got != "10.0.0.1:/e" {
		t.Errorf("IPv4 Source = %q", got)
	}
}
