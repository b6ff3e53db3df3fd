package modalias

import (
	"reflect"
	"testing"
)

func TestClosureFixture(t *testing.T) {
	dir := writeTree(t, fixtureFiles)
	ix, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		names   []string
		want    []string
		wantErr string
	}{
		{[]string{"ext4"}, []string{"crc16", "crc32c_generic", "crc32c_intel", "ext4", "jbd2", "mbcache"}, ""},
		{[]string{"virtio:d00000001v00001AF4"}, []string{"failover", "net_failover", "virtio", "virtio_net", "virtio_ring"}, ""},
		// softdep pre "nothing-matches" is skipped, post "failover" is included.
		{[]string{"e1000"}, []string{"e1000", "failover"}, ""},
		{[]string{"nfs-acl", "virtio_mmio"}, nil, ""}, // built in: nothing to ship
		{[]string{"ext4", "no-such-thing"}, nil, `module "no-such-thing" not found in DIR (not in modules.dep, modules.alias or modules.builtin)`},
	}
	for _, tt := range tests {
		got, err := ix.Closure(tt.names)
		if tt.wantErr != "" {
			want := replaceDir(tt.wantErr, dir)
			if err == nil || err.Error() != want {
				t.Errorf("Closure(%q) error = %v, want %s", tt.names, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("Closure(%q): %v", tt.names, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Closure(%q) = %q, want %q", tt.names, got, tt.want)
		}
	}
}

func TestClosureMissingDependency(t *testing.T) {
	dir := writeTree(t, map[string]string{"modules.dep": "kernel/a.ko: kernel/gone.ko\n"})
	ix, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ix.Closure([]string{"a"})
	want := replaceDir(`module "gone" (needed by "a") not found in DIR (not in modules.dep or modules.builtin)`, dir)
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestClosureReal(t *testing.T) {
	ix := realIndex(t)
	got, err := ix.Closure([]string{"ext4"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"crc16", "crc32c_generic", "crc32c_intel", "ext4", "jbd2", "mbcache"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Closure(ext4) = %q, want %q", got, want)
	}
	got, err = ix.Closure([]string{"sd_mod"})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"sd_mod", "scsi_mod", "scsi_common", "t10_pi", "crc64_rocksoft", "crc64", "crc_t10dif", "crct10dif_common"} {
		if !contains(got, w) {
			t.Errorf("Closure(sd_mod) = %q lacks %s", got, w)
		}
	}
	_, err = ix.Closure([]string{"e1000", "no-such-nic"})
	if want := `module "no-such-nic" not found in ` + realDir + ` (not in modules.dep, modules.alias or modules.builtin)`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
