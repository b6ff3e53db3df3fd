package modalias

import (
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// realDir is the installed Debian kernel's module directory; tests that need it skip
// without it.
const realDir = "/lib/modules/6.1.0-56-amd64"

func realIndex(t testing.TB) *Index {
	t.Helper()
	if _, err := os.Stat(filepath.Join(realDir, depFile)); err != nil {
		t.Skipf("no installed kernel modules: %v", err)
	}
	ix, err := Load(realDir)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// writeTree writes files (path -> content) under a new temp dir and returns it.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// fixtureFiles is a small module directory shaped like the real one.
var fixtureFiles = map[string]string{
	"modules.dep": `kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko
kernel/fs/jbd2/jbd2.ko:
kernel/fs/mbcache.ko:
kernel/lib/crc16.ko:
kernel/arch/x86/crypto/crc32c-intel.ko:
kernel/crypto/crc32c_generic.ko:
kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio.ko:
kernel/drivers/virtio/virtio_ring.ko:
kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
kernel/net/core/failover.ko:
kernel/drivers/net/ethernet/intel/e1000/e1000.ko.zst:
kernel/drivers/ata/ahci.ko: kernel/drivers/ata/libahci.ko
kernel/drivers/ata/libahci.ko:
kernel/drivers/scsi/sd_mod.ko:
kernel/drivers/broken/broken.ko:
`,
	"modules.alias": `# Aliases extracted from modules themselves.
alias crypto-crc32c crc32c_intel
alias crc32c crc32c_intel
alias crypto-crc32c crc32c_generic
alias crc32c crc32c_generic
alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci
alias virtio:d00000001v* virtio_net
alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000
alias pci:v*d*sv*sd*bc01sc06i01* ahci
alias scsi:t-0x00* sd_mod
alias pci:v0000BEEFd*sv*sd*bc*sc*i* broken
`,
	"modules.softdep": `# Soft dependencies extracted from modules themselves.
softdep ext4 pre: crypto-crc32c
softdep jbd2 pre: crypto-crc32c
softdep e1000 pre: nothing-matches post: failover
`,
	"modules.builtin": `kernel/drivers/virtio/virtio_mmio.ko
kernel/fs/nfs_common/nfs-acl.ko
`,
}

// fixtureDir writes fixtureFiles plus an empty file for every module path.
func fixtureDir(t testing.TB) string {
	t.Helper()
	dir := writeTree(t, fixtureFiles)
	ix, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ix.Names() {
		m, _ := ix.Module(n)
		p := filepath.Join(dir, m.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data := []byte("fake " + n)
		if UncompressedPath(p) != p {
			data = zstImage(t, n)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// zstImage is a packed fake module as mkinitramfs writes one: an ELF magic and the module's
// name, zstd-compressed.
func zstImage(t testing.TB, name string) []byte {
	t.Helper()
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	return enc.EncodeAll([]byte(elf.ELFMAG+"fake "+name), nil)
}

func replaceDir(s, dir string) string {
	return strings.ReplaceAll(s, "DIR", dir)
}
