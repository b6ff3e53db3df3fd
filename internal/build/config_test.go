package build

import (
	"reflect"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		err  string
	}{
		{"ok", Config{Output: "x"}, ""},
		{"no output", Config{}, "check config: no output file: give -o FILE"},
		{"nics", Config{Output: "x", NICs: "all"}, `check config: --nics "all": want generic, host or none`},
		{"compress", Config{Output: "x", Compress: "bzip2"}, `check config: --compress: parse compression "bzip2": want one of zstd, gzip, xz, lz4, none`},
		{"module compress", Config{Output: "x", ModuleCompress: "xz"}, `check config: --module-compress "xz": want zstd or none`},
		{"roots", Config{Output: "x", Roots: "nfs,disk"}, `check config: --roots "nfs,disk": "disk" is not a root type; want all or a list of nfs, aoe, nbd, iscsi, local`},
		{"roots ok", Config{Output: "x", Roots: "nfs, aoe,nfs"}, ""},
	}
	for _, tt := range tests {
		err := tt.cfg.Check()
		if tt.err == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil || err.Error() != tt.err {
			t.Errorf("%s: error = %v, want %q", tt.name, err, tt.err)
		}
	}
}

func TestSettleDefaults(t *testing.T) {
	s, err := Config{Output: "x", ExtraModules: []string{"e1000e, igb", "", ",nbd,"}}.settle()
	if err != nil {
		t.Fatal(err)
	}
	if s.ModulesDir != "/lib/modules" || s.FirmwareDir != "/lib/firmware" || s.NICs != NICsGeneric ||
		s.BusyboxPath != BusyboxAuto || s.compression != "zstd" || s.SysDir != "/sys" {
		t.Errorf("defaults: %+v", s)
	}
	if want := []string{"e1000e", "igb", "nbd"}; !reflect.DeepEqual(s.extra, want) {
		t.Errorf("extra modules %q, want %q", s.extra, want)
	}
}

func TestRootsSelectGroups(t *testing.T) {
	groups := func(roots string) []string {
		t.Helper()
		s, err := Config{Output: "x", Roots: roots}.settle()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, g := range moduleGroups {
			if g.wanted(s.roots) {
				names = append(names, g.name)
			}
		}
		return names
	}
	for roots, want := range map[string][]string{
		"":        {"base", "disks", "filesystems", "nfs", "aoe", "nbd", "flash", "iscsi"},
		"all":     {"base", "disks", "filesystems", "nfs", "aoe", "nbd", "flash", "iscsi"},
		"nfs":     {"base", "nfs"},
		"aoe":     {"base", "filesystems", "aoe", "flash"},
		"iscsi":   {"base", "filesystems", "iscsi"},
		"local":   {"base", "disks", "filesystems", "flash"},
		"nfs,nbd": {"base", "filesystems", "nfs", "nbd", "flash"},
	} {
		if got := groups(roots); !reflect.DeepEqual(got, want) {
			t.Errorf("--roots %q: groups %q, want %q", roots, got, want)
		}
	}
}
