package boot

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/goinit/goinit/internal/idmap"
	"github.com/goinit/goinit/netroot"
)

// helperPathDirs are the root's paths the kernel's lookup of /sbin/request-key walks (also for
// a merged /usr). Their owners must map without the helper, or the helper waits on itself.
var helperPathDirs = []string{"", "sbin", "usr", "usr/sbin", "sbin/request-key", "usr/sbin/request-key"}

// installIDMapHelper links /sbin/request-key in the initramfs to goinit before an NFSv4 mount,
// so the kernel's owner-name requests are answered from the image (idmap.ServeRequestKey).
func (b *Boot) installIDMapHelper(mounts []netroot.Mount) {
	v4 := false
	for _, m := range mounts {
		v4 = v4 || m.FSType == "nfs4"
	}
	if !v4 {
		return
	}
	if _, err := os.Lstat(idmap.HelperPath); err == nil {
		return // the image brings one
	}
	err := os.MkdirAll(filepath.Dir(idmap.HelperPath), 0o755)
	if err == nil {
		err = os.Symlink("/init", idmap.HelperPath)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		b.Log.Printf("warning: cannot link %s to goinit (%v): NFSv4 owner names stay unmapped", idmap.HelperPath, err)
	}
}

// mapOwners runs after an NFSv4 mount on root. When the helper saw owner names, it writes the
// name table from the root's /etc/passwd and /etc/group, drops the refusals cached so far and
// fetches the attributes of the helper's path again, so that their owners are mapped and cached
// for good before the switch. It reports what stays unmapped.
func (b *Boot) mapOwners(root string) {
	forceStat(root) // the mount mapped the root's owner already; this makes sure
	data, _ := os.ReadFile(idmap.AskedPath)
	asked := idmap.ParseAsked(string(data))
	if len(asked.Names) == 0 {
		return // numeric owners: nothing to do
	}
	passwd, _ := os.ReadFile(filepath.Join(root, "etc/passwd"))
	group, _ := os.ReadFile(filepath.Join(root, "etc/group"))
	tab := idmap.NewTable(passwd, group)
	tmp := idmap.TablePath + ".new"
	if err := os.WriteFile(tmp, tab.Marshal(), 0o600); err != nil {
		b.Log.Printf("warning: write %s: %v", tmp, err)
	} else if err := os.Rename(tmp, idmap.TablePath); err != nil {
		b.Log.Printf("warning: %v", err)
	}
	if asked.Keyring > 0 {
		if err := idmap.ClearKeyring(asked.Keyring); err != nil {
			b.Log.Printf("warning: nfs owner names: %v", err)
		}
	}
	var unmapped []string
	for _, p := range helperPathDirs {
		st, err := forceStat(filepath.Join(root, p))
		if err != nil {
			continue
		}
		if st.Uid == idmap.Unmapped || st.Gid == idmap.Unmapped {
			unmapped = append(unmapped, "/"+p)
		}
	}
	data, _ = os.ReadFile(idmap.AskedPath)
	info, warning := idmap.Report(idmap.ParseAsked(string(data)).Names, unmapped)
	b.Log.Printf("%s", info)
	if warning != "" {
		b.Log.Printf("%s", warning)
	}
}

// forceStat fetches path's attributes from the server (not the cache), without following a
// final symlink.
func forceStat(path string) (unix.Statx_t, error) {
	var st unix.Statx_t
	err := unix.Statx(unix.AT_FDCWD, path, unix.AT_STATX_FORCE_SYNC|unix.AT_SYMLINK_NOFOLLOW, unix.STATX_UID|unix.STATX_GID, &st)
	return st, err
}
