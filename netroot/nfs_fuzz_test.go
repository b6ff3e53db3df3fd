package netroot

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzParseNFS feeds nfsroot=, root=nfs… and DHCP root-path values to the NFS parsers: they
// must never panic, a parsed root must have an absolute path and an IP (or no) server, and its
// mounts must carry vers= and addr= once resolved.
func FuzzParseNFS(f *testing.F) {
	for _, s := range []string{
		"10.99.0.1:/export,ro,nolock", "/export", "[fd00::1]:/export,ro", ":/export", "10.99.0.1:",
		"nfs.example:/export", "10.0.0.1:/e,vers=5", "10.0.0.1:/srv/%s,v3,tcp", "[fd00::1:/x",
	} {
		f.Add("/dev/nfs", s)
	}
	for _, s := range []string{
		"nfs:10.99.0.1:/export", "nfs:10.99.0.1:/export:ro,nolock", "nfs4:10.99.0.1:/export:vers=3",
		"nfs:/export:vers=4.2", "nfs4:10.0.0.1", "nfs:[fd00::1]:/e:ro", "nfs:",
	} {
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, root, nfsroot string) {
		c := ipTestCmdline{"root": {root}}
		if nfsroot != "" {
			c["nfsroot"] = []string{nfsroot}
		}
		check := func(r NFSRoot) {
			if r.Path != "" && !strings.HasPrefix(r.Path, "/") {
				t.Fatalf("path %q is not absolute", r.Path)
			}
			if r.Server != "" {
				if _, err := netip.ParseAddr(r.Server); err != nil {
					t.Fatalf("server %q is not an IP", r.Server)
				}
			}
			if r.Version != "" && !nfsVersions[r.Version] {
				t.Fatalf("version %q", r.Version)
			}
			res, err := r.Resolve(&Lease{Address: a4("10.0.0.2"), NextServer: a4("10.0.0.1")})
			if err != nil {
				return
			}
			for _, m := range NewNFS(res).(*nfs).Mounts() {
				if !strings.Contains(m.Data, "vers=") || !strings.Contains(m.Data, "addr=") {
					t.Fatalf("mount %+v lacks vers= or addr=", m)
				}
			}
		}
		if IsNFSRoot(c) {
			if r, err := ParseNFS(c); err == nil {
				check(r)
			} else if !strings.HasPrefix(err.Error(), "cmdline: ") {
				t.Fatalf("error %q is not in the cmdline shape", err)
			}
		}
		if r, err := ParseNFSRootPath(root); err == nil {
			check(r)
		}
	})
}
