// Package modalias reads the kernel's module metadata (modules.dep, modules.alias,
// modules.softdep, modules.builtin), matches device modaliases against it with fnmatch(3)
// semantics, computes module closures and writes filtered indexes for an image (build side),
// and loads modules with finit_module, coldplugs devices from sysfs and follows uevents
// (boot side).
//
// Module names are normalized the way kmod does: '-' becomes '_'. Alias patterns and the
// strings matched against them are normalized the same way outside bracket expressions, as
// kmod's depmod does when it builds modules.alias.bin, so "crypto-crc32c" and "crypto_crc32c"
// are the same alias.
package modalias
