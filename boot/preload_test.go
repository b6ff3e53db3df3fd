package boot

import (
	"reflect"
	"testing"
)

func TestPreloadModules(t *testing.T) {
	cases := map[string][]string{
		"root=/dev/nfs nfsroot=10.99.0.1:/export":        {"fs-nfs", "nfsv3"},
		"root=/dev/nfs nfsroot=10.99.0.1:/export,vers=4": {"fs-nfs4"},
		"root=nfs:10.99.0.1:/export":                     {"fs-nfs4", "fs-nfs"},
		"root=nfs:10.99.0.1:/export:vers=3":              {"fs-nfs", "nfsv3"},
		"root=dhcp":                                      {"fs-nfs4", "fs-nfs"},
		"root=nfs4:10.99.0.1:/export AUFS=1":             {"fs-nfs4", "fs-overlay"},
		"root=nbd:10.99.0.1:root rootfstype=squashfs":    {"nbd", "fs-squashfs"},
		"aoeroot=e7.1":                                   {"aoe"},
		"root=LABEL=root":                                nil,
	}
	for line, want := range cases {
		p, err := ParseCmdline(line)
		if err != nil {
			t.Fatal(err)
		}
		if got := RootModules(p, p.Overlay != ""); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: preload %q, want %q", line, got, want)
		}
	}
}
