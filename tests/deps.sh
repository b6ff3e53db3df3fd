#!/usr/bin/env bash
# Installs the Debian packages the tests need, only the missing ones, then checks that every
# command and file the tests use is there. Fast when everything is present (no apt-get update).
# Works unattended (CI=true, no TTY). Exit status non-zero names what is still missing.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

# package  then what proves it is there: a command name, or an absolute path (globs allowed).
NEEDS=(
	"qemu-system-x86    qemu-system-x86_64"
	"linux-image-amd64  /boot/vmlinuz-*"
	"busybox-static     busybox"
	"e2fsprogs          mkfs.ext4"
	"cpio               cpio"
	"zstd               zstd"
	"xz-utils           xz"
	"lz4                lz4"
	"file               file"
	"util-linux         lsblk"
	"iproute2           ip"
	"dnsmasq            dnsmasq"
	"vblade             vblade"
	"nbd-server         nbd-server"
	"nbd-client         nbd-client"
	"nfs-ganesha        ganesha.nfsd"
	"nfs-ganesha-vfs    /usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so"
	"rpcbind            rpcbind"
	"tgt                tgtd tgtadm"
	"pxelinux           /usr/lib/PXELINUX/pxelinux.0"
	"syslinux-common    /usr/lib/syslinux/modules/bios/ldlinux.c32"
	"ipxe-qemu          /usr/lib/ipxe/qemu/efi-e1000.rom"
	"nftables           nft"
	"squashfs-tools     mksquashfs"
	"mtd-utils          mkfs.jffs2"
	"btrfs-progs        mkfs.btrfs"
	"xfsprogs           mkfs.xfs"
	"dosfstools         mkfs.vfat"
	"erofs-utils        mkfs.erofs"
	"genisoimage        genisoimage"
	"f2fs-tools         mkfs.f2fs"
	"fdisk              sfdisk"
)

# present WHAT: a command on PATH, or an existing absolute path (glob).
present() {
	case "$1" in
	/*) compgen -G "$1" >/dev/null ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

# installed PKG: dpkg knows the package as installed.
installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

# missing_packages prints the packages that are not installed or lack one of their proofs.
missing_packages() {
	local line pkg what
	for line in "${NEEDS[@]}"; do
		read -r pkg what <<<"$line"
		if ! installed "$pkg"; then
			echo "$pkg"
			continue
		fi
		for w in $what; do
			if ! present "$w"; then
				echo "$pkg"
				break
			fi
		done
	done
}

mapfile -t missing < <(missing_packages)

if [ "${#missing[@]}" -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	SUDO=()
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			SUDO=(sudo -n)
		else
			echo "deps: missing packages ${missing[*]}, and not root (no sudo): install them as root" >&2
			exit 1
		fi
	fi
	# Keep package scripts from starting the servers (dnsmasq, tgt, rpcbind, nfs-ganesha) on the
	# host: the tests run their own copies inside network namespaces. policy-rc.d exit 101 means
	# "action not allowed"; only a file this script created is removed again.
	policy=/usr/sbin/policy-rc.d
	created_policy=
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
		"${SUDO[@]}" chmod 0755 "$policy"
		created_policy=1
	fi
	cleanup() { if [ -n "$created_policy" ]; then "${SUDO[@]}" rm -f "$policy"; fi; }
	trap cleanup EXIT
	apt_opts=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 update
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install "${missing[@]}"
	hash -r
fi

# Final check: every proof, with the package that provides it.
status=0
for line in "${NEEDS[@]}"; do
	read -r pkg what <<<"$line"
	for w in $what; do
		if ! present "$w"; then
			if [[ "$w" == /* ]]; then
				echo "deps: missing file $w (package $pkg): run 'apt-get install $pkg'" >&2
			else
				echo "deps: missing command $w (package $pkg): run 'apt-get install $pkg'" >&2
			fi
			status=1
		fi
	done
done

# The kernel the end-to-end tests boot needs its modules next to it.
kernel_ok=
for k in /boot/vmlinuz-*; do
	[ -e "$k" ] || continue
	if [ -d "/lib/modules/${k#/boot/vmlinuz-}" ]; then
		kernel_ok=1
	fi
done
if [ -z "$kernel_ok" ]; then
	echo "deps: no /boot/vmlinuz-<version> with a matching /lib/modules/<version> (package linux-image-amd64)" >&2
	status=1
fi

# The root images use a static busybox; the dynamic one from package busybox would not run there.
if command -v busybox >/dev/null 2>&1 && command -v file >/dev/null 2>&1; then
	if ! file -L "$(command -v busybox)" | grep -q 'statically linked'; then
		echo "deps: $(command -v busybox) is not statically linked (package busybox-static)" >&2
		status=1
	fi
fi

if [ "$status" -eq 0 ]; then
	echo "deps: all test dependencies present"
fi
exit "$status"
