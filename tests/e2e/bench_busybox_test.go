//go:build e2e && bench

package e2e

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goinit/goinit/internal/archive"
	"github.com/goinit/goinit/modalias"
)

// The hand-written busybox /init the issue measures goinit against: what the seed's blog post
// did by hand, reduced to the bench's case. A fixed module list (both guest NICs' drivers and
// the NFSv3 client, insmod'ed in dependency order), udhcpc on eth0, busybox's NFSv3 mount,
// switch_root. No module index, no coldplug, no fallbacks: the least an init can do.
const busyboxInitScript = `#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in %s; do insmod /lib/modules/$m.ko || echo "busybox-init: insmod $m failed"; done
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -f -q -n -t 20 -T 1 -s /bin/udhcpc.script || { echo "busybox-init: no DHCP lease"; exec sh; }
mkdir -p /newroot
mount -t nfs -o ro,nolock,vers=3 10.99.0.1:/export /newroot || { echo "busybox-init: NFS mount failed"; exec sh; }
for d in dev proc sys; do mount --move /$d /newroot/$d; done
exec switch_root /newroot /sbin/init
`

// udhcpc's event script: configure the lease (busybox passes $ip, $mask as a prefix length,
// $router).
const busyboxUdhcpcScript = `#!/bin/sh
case "$1" in
bound|renew)
	ip addr add "$ip/$mask" dev "$interface"
	for r in $router; do ip route add default via "$r" dev "$interface"; break; done
	;;
esac
`

// busyboxInitModules are the modules the script loads, with their dependencies.
var busyboxInitModules = []string{"virtio_pci", "virtio_net", "e1000", "nfsv3"}

// buildBusyboxInit writes the busybox /init image (zstd, like ours) to out.
func buildBusyboxInit(t *testing.T, kver, out string) ([]byte, error) {
	bb, err := lookTool("busybox", "busybox-static")
	if err != nil {
		return nil, err
	}
	ix, err := modalias.Load(filepath.Join("/lib/modules", kver))
	if err != nil {
		return nil, err
	}
	order, err := insmodOrder(ix, busyboxInitModules)
	if err != nil {
		return nil, err
	}
	tree := t.TempDir()
	files := []File{
		{Path: "/init", Data: fmt.Sprintf(busyboxInitScript, strings.Join(order, " ")), Mode: 0o755},
		{Path: "/bin/udhcpc.script", Data: busyboxUdhcpcScript, Mode: 0o755},
		{Path: "/bin/busybox", Src: bb, Mode: 0o755},
	}
	for _, a := range []string{"sh", "mount", "insmod", "ip", "udhcpc", "mkdir", "switch_root", "echo"} {
		files = append(files, File{Path: "/bin/" + a, Link: "busybox"})
	}
	for _, n := range order {
		m, _ := ix.Module(n)
		files = append(files, File{Path: "/lib/modules/" + n + ".ko", Src: filepath.Join(ix.Dir(), m.Path)})
	}
	writeTree(t, tree, []string{"/bin", "/proc", "/sys", "/dev", "/lib/modules"}, files)
	plain := out + ".cpio"
	if err := writeCpio(tree, plain); err != nil {
		return nil, err
	}
	defer os.Remove(plain)
	return []byte(fmt.Sprintf("modules: %s\n", strings.Join(order, " "))), compressFile(plain, out)
}

// insmodOrder lists names and their dependencies, each after what it needs.
func insmodOrder(ix *modalias.Index, names []string) ([]string, error) {
	var order []string
	seen := map[string]bool{}
	var visit func(n string) error
	visit = func(n string) error {
		if seen[n] || ix.Builtin(n) {
			return nil
		}
		seen[n] = true
		m, ok := ix.Module(n)
		if !ok {
			return fmt.Errorf("busybox init: no module %s", n)
		}
		for i := len(m.Deps) - 1; i >= 0; i-- {
			if err := visit(m.Deps[i]); err != nil {
				return err
			}
		}
		order = append(order, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// compressFile writes src zstd-compressed (as the kernel takes it) to dst.
func compressFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer out.Close()
	w, err := archive.NewWriter(out, archive.Zstd)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, in); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return out.Close()
}
