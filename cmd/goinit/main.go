// Command goinit is a static PID 1 for an initramfs: it brings up the devices and the network,
// attaches the root (local disk, NFS, AoE, NBD or iSCSI) and switches into the real init.
// Run by the kernel as its modprobe helper, it loads modules from the image instead; run as
// /sbin/request-key, it answers NFSv4 owner-name requests (internal/idmap); run as
// @goinit-free-initramfs, it deletes the initramfs after the switch.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/goinit/goinit/boot"
	"github.com/goinit/goinit/internal/idmap"
	"github.com/goinit/goinit/modalias"
)

var version = "dev"

func main() {
	if filepath.Base(os.Args[0]) == "modprobe" {
		os.Exit(modprobe(os.Args[1:]))
	}
	if filepath.Base(os.Args[0]) == "request-key" {
		os.Exit(idmap.ServeRequestKey(os.Args))
	}
	if filepath.Base(os.Args[0]) == boot.FreeInitramfsArgv0 {
		os.Exit(boot.RunFreeInitramfs(os.Args[1:], os.Stdout))
	}
	if isSupervisor(os.Args[0]) {
		os.Exit(supervise(os.Args))
	}
	if os.Getpid() != 1 {
		if len(os.Args) > 1 && (os.Args[1] == "--version" || os.Args[1] == "-v") {
			fmt.Println("goinit", version)
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "goinit %s: this is the init of an initramfs and runs only as PID 1.\n"+
			"Build an image with: mkinitramfs -o initrd.img\n", version)
		os.Exit(2)
	}
	// The boot allocates little that lives (module images are unpacked, handed to the kernel
	// and dropped). Collecting less often saves CPU time on a small guest's one vCPU: with the
	// default 100 a boot under QEMU TCG ran four collections (GODEBUG=gctrace=1), about 45 ms
	// of CPU. The real init replaces this process, so the setting ends with the switch.
	debug.SetGCPercent(400)
	boot.Main(version)
}

// modprobe serves the kernel's request_module calls from the image's module index.
func modprobe(args []string) int {
	cmdline, _ := os.ReadFile("/proc/cmdline")
	return modalias.ServeModprobe(args, filepath.Join("/lib/modules", kernelRelease()), string(cmdline))
}
