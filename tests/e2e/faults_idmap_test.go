//go:build e2e && faults

package e2e

import (
	"regexp"
	"testing"
	"time"
)

// TestNFSv4OwnerNamesReadLoop boots an NFSv4 root from a ganesha that sends owner names
// (root@localdomain, its default) and reads a file with the caches dropped once a second for
// some two and a half minutes. Without goinit's answers to the kernel's owner-name requests the
// loop hung for good about 60 s after the mount, in every run: the refusal cached at the mount
// expires, the next open maps root@localdomain again, and the kernel's helper /sbin/request-key,
// now on the NFS root, waits for that very mapping. It takes minutes, hence the faults tag.
func TestNFSv4OwnerNamesReadLoop(t *testing.T) {
	t.Parallel()
	LockNFS(t)
	id, idCheck := IDFile(t)
	rl := newReadLoop(t, 256<<10, 150)
	lab := NewLab(t, 1)
	lab.StartNFS(t, RootTree(t, append(rl.Files, id)...))
	vm := bootBlockNet(t, lab, "ip=10.99.0.50::10.99.0.1:255.255.255.0::eth0:off root=nfs4:10.99.0.1:/export",
		"sysctl.kernel.hung_task_timeout_secs=30", "canary.runtimeout=5m", idCheck, rl.Run)
	vm.WaitFor(regexp.QuoteMeta(ownerNamesLine), bootWait)
	rl.check(t, vm, 6*time.Minute)
	if l := vm.Seen(ownerNamesWarning); len(l) > 0 {
		t.Errorf("goinit warned %q; want the root's owners mapped", l)
	}
}
