// Package idmap answers the kernel's NFSv4 owner-name requests while goinit runs.
//
// An NFSv4 server may name owners and groups as strings ("root@localdomain") instead of
// numbers. The kernel maps such a name with request_key("id_resolver", "uid:root@localdomain"),
// which runs the fixed helper /sbin/request-key as seen from init's root directory. After the
// switch that path lies on the NFS root itself: when the helper's own path lookup needs fresh
// attributes of / or /sbin, the reply names their owner again, and that mapping waits for the
// very key the helper was started to make. The root hangs for good.
//
// goinit links /sbin/request-key in the initramfs to itself before the NFS mount. Run under
// that name it answers id_resolver keys from a table goinit writes after the mount, from the
// new root's /etc/passwd and /etc/group, and instantiates them without a timeout, so the names
// it maps (root above all, which owns the directories on the helper's path) stay cached for the
// life of the system and the kernel never needs the NFS root's helper for them.
package idmap

// Paths in the initramfs.
const (
	HelperPath = "/sbin/request-key"       // the kernel's fixed helper path
	TablePath  = "/etc/goinit/idmap"       // names to ids, written by goinit after the mount
	AskedPath  = "/etc/goinit/idmap-asked" // one line per request the helper saw
	Unmapped   = 0xFFFFFFFE                // the uid and gid the kernel gives an owner it could not map
	KeyType    = "id_resolver"             // the key type the NFS client requests
	negativeS  = 1                         // seconds a refused mapping stays cached
)
