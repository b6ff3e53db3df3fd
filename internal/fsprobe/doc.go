// Package fsprobe identifies filesystems and partition tables from their on-disk bytes, the way
// blkid (util-linux) does, so goinit can resolve root=UUID=, LABEL=, PARTUUID= and PARTLABEL=
// and pick a filesystem type without trial mounts.
//
// Everything here is a pure reader over an io.ReaderAt of a known size: nothing reads beyond
// that size, a filesystem probe reads at most MaxProbeRead bytes, and garbage input yields
// ErrUnknown (or ErrNoTable), never a panic. UUIDs, labels and partition values are spelled as
// `blkid -p -o export` prints them.
package fsprobe
