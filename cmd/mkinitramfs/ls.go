package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/goinit/goinit/internal/archive"
)

// runLs prints one ls-like line per record of the image FILE.
func runLs(args []string) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Println("Usage: mkinitramfs ls FILE\n\nLists the records of an initramfs (newc cpio, plain or zstd, gzip, xz or lz4 compressed):\nmode, size (or major, minor), name and symlink target. mkinitramfs writes a compressed image\nas two archives, the packed modules (.ko.zst, stored as they are) and then the rest, compressed;\ndirectories are listed once per archive.\n\nExamples:\n  mkinitramfs ls initrd.img\n  mkinitramfs ls /boot/initrd.img-$(uname -r) | grep lib/modules   # which modules are in\n  mkinitramfs ls initrd.img | grep ' lib/firmware/'                 # the firmware that went in")
		return errHelpShown
	}
	if len(args) != 1 {
		return usagef("ls: want one image file, got %d arguments (usage: mkinitramfs ls FILE)", len(args))
	}
	im, err := archive.ReadFile(args[0])
	if err != nil {
		return err
	}
	w := bufio.NewWriter(os.Stdout)
	for _, e := range im.Entries {
		fmt.Fprintln(w, e.String())
	}
	return w.Flush()
}
