package modalias

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeSubset writes WriteSubset's files to a new dir and loads them back.
func writeSubset(t *testing.T, ix *Index, names []string) (*Index, map[string][]byte) {
	t.Helper()
	files := ix.WriteSubset(names)
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return back, files
}

// checkEquivalent checks that sub holds exactly the modules names of ix with uncompressed
// paths, their aliases in order, their softdeps, and all builtins.
func checkEquivalent(t *testing.T, ix, sub *Index, names []string) {
	t.Helper()
	if got := sub.Names(); !reflect.DeepEqual(got, names) {
		t.Errorf("Names() = %q, want %q", got, names)
	}
	in := map[string]bool{}
	for _, n := range names {
		in[n] = true
		m, _ := ix.Module(n)
		sm, ok := sub.Module(n)
		if !ok {
			t.Errorf("module %s lost", n)
			continue
		}
		want := Module{Name: m.Name, Path: UncompressedPath(m.Path), Deps: m.Deps}
		if !reflect.DeepEqual(*sm, want) {
			t.Errorf("Module(%s) = %+v, want %+v", n, *sm, want)
		}
		p1, q1 := ix.SoftDeps(n)
		p2, q2 := sub.SoftDeps(n)
		if !reflect.DeepEqual(p1, p2) || !reflect.DeepEqual(q1, q2) {
			t.Errorf("SoftDeps(%s) = %q %q, want %q %q", n, p2, q2, p1, q1)
		}
	}
	var want []aliasEntry
	for _, a := range ix.aliases {
		if in[a.module] {
			want = append(want, a)
		}
	}
	if !reflect.DeepEqual(sub.aliases, want) {
		t.Errorf("aliases differ: %d vs %d", len(sub.aliases), len(want))
	}
	if !reflect.DeepEqual(sub.builtin, ix.builtin) {
		t.Errorf("builtins differ: %d vs %d", len(sub.builtin), len(ix.builtin))
	}
}

func TestWriteSubsetFixture(t *testing.T) {
	ix, err := Load(writeTree(t, fixtureFiles))
	if err != nil {
		t.Fatal(err)
	}
	names, err := ix.Closure([]string{"ext4", "e1000"})
	if err != nil {
		t.Fatal(err)
	}
	sub, files := writeSubset(t, ix, names)
	checkEquivalent(t, ix, sub, names)
	wantDep := `kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko
kernel/fs/jbd2/jbd2.ko:
kernel/fs/mbcache.ko:
kernel/lib/crc16.ko:
kernel/arch/x86/crypto/crc32c-intel.ko:
kernel/crypto/crc32c_generic.ko:
kernel/net/core/failover.ko:
kernel/drivers/net/ethernet/intel/e1000/e1000.ko:
`
	if got := string(files["modules.dep"]); got != wantDep {
		t.Errorf("modules.dep =\n%s\nwant\n%s", got, wantDep)
	}
	wantSoft := `# Soft dependencies extracted from modules themselves.
softdep e1000 pre: nothing-matches post: failover
softdep ext4 pre: crypto-crc32c
softdep jbd2 pre: crypto-crc32c
`
	if got := string(files["modules.softdep"]); got != wantSoft {
		t.Errorf("modules.softdep =\n%s\nwant\n%s", got, wantSoft)
	}
	wantAlias := `# Aliases extracted from modules themselves.
alias crypto-crc32c crc32c_intel
alias crc32c crc32c_intel
alias crypto-crc32c crc32c_generic
alias crc32c crc32c_generic
alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000
`
	if got := string(files["modules.alias"]); got != wantAlias {
		t.Errorf("modules.alias =\n%s\nwant\n%s", got, wantAlias)
	}
	if got := sub.Match("pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00"); !reflect.DeepEqual(got, []string{"e1000"}) {
		t.Errorf("subset Match(e1000 device) = %q", got)
	}
	if got := sub.Match("virtio:d00000001v00001AF4"); got != nil {
		t.Errorf("subset Match(virtio-net) = %q, want nothing (not included)", got)
	}
}

func TestWriteSubsetReal(t *testing.T) {
	ix := realIndex(t)
	// Everything: the written index must equal the original.
	all := ix.Names()
	sub, files := writeSubset(t, ix, all)
	checkEquivalent(t, ix, sub, all)
	if again := ix.WriteSubset(all); !reflect.DeepEqual(again, files) {
		t.Error("WriteSubset is not deterministic")
	}
	// Writing the loaded subset again gives the same bytes.
	if again := sub.WriteSubset(all); !reflect.DeepEqual(again, files) {
		for name := range files {
			if !bytes.Equal(again[name], files[name]) {
				t.Errorf("%s changes when written from its own round trip", name)
			}
		}
	}
	// A netboot-sized closure.
	names, err := ix.Closure([]string{"e1000", "virtio_net", "virtio_pci", "ext4", "nfsv4", "nfsv3", "overlay", "sd_mod", "ahci"})
	if err != nil {
		t.Fatal(err)
	}
	sub, _ = writeSubset(t, ix, names)
	checkEquivalent(t, ix, sub, names)
	if cl, err := sub.Closure([]string{"ext4", "e1000"}); err != nil || !contains(cl, "crc32c_generic") {
		t.Errorf("subset Closure(ext4, e1000) = %q, %v", cl, err)
	}
}

func TestWriteSubsetAsSuffix(t *testing.T) {
	ix, err := Load(fixtureDir(t))
	if err != nil {
		t.Fatal(err)
	}
	files := ix.WriteSubsetAs([]string{"virtio_net", "e1000"}, ".zst")
	want := "kernel/drivers/net/virtio_net.ko.zst: kernel/drivers/net/net_failover.ko.zst kernel/net/core/failover.ko.zst kernel/drivers/virtio/virtio.ko.zst kernel/drivers/virtio/virtio_ring.ko.zst\n"
	if dep := string(files[depFile]); !strings.Contains(dep, want) || !strings.Contains(dep, "kernel/drivers/net/ethernet/intel/e1000/e1000.ko.zst:\n") {
		t.Errorf("modules.dep =\n%s\nwant the .ko.zst names, e.g. %q", dep, want)
	}
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := back.Module("e1000"); !ok || m.Path != "kernel/drivers/net/ethernet/intel/e1000/e1000.ko.zst" {
		t.Errorf("read back: e1000 = %+v, %v", m, ok)
	}
}
