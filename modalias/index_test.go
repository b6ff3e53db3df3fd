package modalias

import (
	"reflect"
	"strings"
	"testing"
)

func TestLoadFixture(t *testing.T) {
	dir := writeTree(t, fixtureFiles)
	ix, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := ix.Module("ext4")
	if !ok {
		t.Fatal("ext4 missing")
	}
	want := &Module{Name: "ext4", Path: "kernel/fs/ext4/ext4.ko", Deps: []string{"crc16", "mbcache", "jbd2"}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("Module(ext4) = %+v, want %+v", m, want)
	}
	if m, ok := ix.Module("crc32c-intel"); !ok || m.Name != "crc32c_intel" {
		t.Errorf("Module(crc32c-intel) = %+v, %v; want crc32c_intel", m, ok)
	}
	if !ix.Builtin("nfs_acl") || !ix.Builtin("nfs-acl") || !ix.Builtin("virtio_mmio") || ix.Builtin("ext4") {
		t.Error("Builtin: wrong answers for nfs_acl, nfs-acl, virtio_mmio, ext4")
	}
	if got := len(ix.Names()); got != 17 {
		t.Errorf("len(Names()) = %d, want 17", got)
	}
	pre, post := ix.SoftDeps("e1000")
	if !reflect.DeepEqual(pre, []string{"nothing-matches"}) || !reflect.DeepEqual(post, []string{"failover"}) {
		t.Errorf("SoftDeps(e1000) = %q, %q", pre, post)
	}
	if got, want := ix.ModulesUnder("kernel/drivers/virtio/"), []string{"virtio", "virtio_pci", "virtio_ring"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ModulesUnder = %q, want %q", got, want)
	}
}

func TestLoadOptionalFilesMissing(t *testing.T) {
	dir := writeTree(t, map[string]string{"modules.dep": "kernel/a.ko: kernel/b.ko\nkernel/b.ko:\n"})
	ix, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.Names(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("Names() = %q", got)
	}
	if got := ix.Match("anything"); got != nil {
		t.Errorf("Match without modules.alias = %q", got)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // with DIR for the directory
	}{
		{"no modules.dep", map[string]string{"modules.alias": ""},
			"load module index DIR: open DIR/modules.dep: no such file or directory"},
		{"dep without colon", map[string]string{"modules.dep": "kernel/a.ko:\nkernel/b.ko kernel/a.ko\n"},
			`parse DIR/modules.dep line 2: want "<module path>: <dependency paths>" in "kernel/b.ko kernel/a.ko"`},
		{"dep empty path", map[string]string{"modules.dep": ": kernel/a.ko\n"},
			`parse DIR/modules.dep line 1: bad module path in ": kernel/a.ko"`},
		{"dep bad dependency", map[string]string{"modules.dep": "kernel/a.ko: kernel/\n"},
			`parse DIR/modules.dep line 1: bad dependency path "kernel/" in "kernel/a.ko: kernel/"`},
		{"alias short", map[string]string{"modules.dep": "", "modules.alias": "# c\nalias pci:v*\n"},
			`parse DIR/modules.alias line 2: want "alias <pattern> <module>" in "alias pci:v*"`},
		{"alias keyword", map[string]string{"modules.dep": "", "modules.alias": "options e1000 x=1\n"},
			`parse DIR/modules.alias line 1: want "alias <pattern> <module>" in "options e1000 x=1"`},
		{"softdep keyword", map[string]string{"modules.dep": "", "modules.softdep": "softdep\n"},
			`parse DIR/modules.softdep line 1: want "softdep <module> pre: <names> post: <names>" in "softdep"`},
		{"builtin space", map[string]string{"modules.dep": "", "modules.builtin": "kernel/a.ko kernel/b.ko\n"},
			`parse DIR/modules.builtin line 1: bad module path in "kernel/a.ko kernel/b.ko"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tt.files)
			_, err := Load(dir)
			want := strings.ReplaceAll(tt.want, "DIR", dir)
			if err == nil || err.Error() != want {
				t.Errorf("Load error = %v\nwant %s", err, want)
			}
		})
	}
}

func TestParseSoftdep(t *testing.T) {
	ix := newIndex("/x")
	err := ix.parseSoftdep("f", []byte(`softdep cifs gcm
softdep ksmbd pre: crc32
softdep ksmbd pre: gcm post: md5 pre: ccm
softdep snd-hda pre: a  b   post:
softdep vfio post: vfio_iommu_type1 vfio_iommu_spapr_tce
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		mod       string
		pre, post []string
	}{
		{"cifs", nil, nil}, // names before pre:/post: are ignored, as kmod does
		{"ksmbd", []string{"crc32", "gcm", "ccm"}, []string{"md5"}},
		{"snd_hda", []string{"a", "b"}, nil},
		{"snd-hda", []string{"a", "b"}, nil},
		{"vfio", nil, []string{"vfio_iommu_type1", "vfio_iommu_spapr_tce"}},
	}
	for _, tt := range tests {
		pre, post := ix.SoftDeps(tt.mod)
		if !reflect.DeepEqual(pre, tt.pre) || !reflect.DeepEqual(post, tt.post) {
			t.Errorf("SoftDeps(%s) = %q, %q; want %q, %q", tt.mod, pre, post, tt.pre, tt.post)
		}
	}
}

func TestModuleName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"kernel/fs/ext4/ext4.ko", "ext4"},
		{"kernel/fs/ext4/ext4.ko.xz", "ext4"},
		{"kernel/arch/x86/crypto/crc32c-intel.ko.zst", "crc32c_intel"},
		{"crc32c-intel", "crc32c_intel"},
		{"/abs/path/nls_koi8-r.ko", "nls_koi8_r"},
		{"kernel/", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ModuleName(tt.in); got != tt.want {
			t.Errorf("ModuleName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLoadReal(t *testing.T) {
	ix := realIndex(t)
	if n := len(ix.Names()); n < 3000 {
		t.Errorf("only %d modules in %s", n, realDir)
	}
	m, ok := ix.Module("ext4")
	if !ok || m.Path != "kernel/fs/ext4/ext4.ko" || !reflect.DeepEqual(m.Deps, []string{"crc16", "mbcache", "jbd2"}) {
		t.Errorf("Module(ext4) = %+v, %v", m, ok)
	}
	pre, _ := ix.SoftDeps("ext4")
	if !reflect.DeepEqual(pre, []string{"crypto-crc32c"}) {
		t.Errorf("SoftDeps(ext4) pre = %q", pre)
	}
	pre, _ = ix.SoftDeps("pcengines_apuv2")
	if !reflect.DeepEqual(pre, []string{"platform:gpio_amd_fch", "platform:leds-gpio", "platform:gpio_keys_polled"}) {
		t.Errorf("SoftDeps(pcengines_apuv2) pre = %q", pre)
	}
	if !ix.Builtin("amd_uncore") {
		t.Error("amd_uncore should be built in")
	}
	nics := ix.ModulesUnder("kernel/drivers/net/ethernet/")
	for _, want := range []string{"e1000", "e1000e", "igb", "bnx2", "r8169"} {
		found := false
		for _, n := range nics {
			found = found || n == want
		}
		if !found {
			t.Errorf("ModulesUnder(kernel/drivers/net/ethernet/) lacks %s", want)
		}
	}
}
