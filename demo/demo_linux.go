package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/goinit/goinit/internal/labconf"
	"golang.org/x/sys/unix"
)

// act is one boot of the client and what it showed.
type act struct {
	name   string
	params string
	res    bootResult
}

// host is what the demo found on this machine.
type host struct {
	kver, vmlinuz      string
	goinit, mk, busybx string
}

// checkHost finds the programs, the kernel and the two goinit binaries.
func checkHost(o options) (host, error) {
	var h host
	if os.Geteuid() != 0 {
		return h, fmt.Errorf("check user: the demo creates a network namespace and runs servers in it, so it needs root: run 'sudo make demo'")
	}
	os.Setenv("PATH", os.Getenv("PATH")+":/usr/local/sbin:/usr/sbin:/sbin") //nolint:errcheck // cannot fail for PATH
	for _, t := range [][2]string{
		{"ip", "iproute2"}, {"qemu-system-x86_64", "qemu-system-x86"}, {"mkfs.ext4", "e2fsprogs"},
		{"dnsmasq", "dnsmasq"}, {"rpcbind", "rpcbind"}, {"ganesha.nfsd", "nfs-ganesha"}, {"vblade", "vblade"},
	} {
		if _, err := tool(t[0], t[1]); err != nil {
			return h, err
		}
	}
	if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/ganesha/libfsalvfs.so"); err != nil {
		return h, fmt.Errorf("find ganesha's VFS backend: %w: run 'apt-get install nfs-ganesha-vfs'", err)
	}
	bb, err := tool("busybox", "busybox-static")
	if err != nil {
		return h, err
	}
	if err := checkStatic(bb, "busybox-static"); err != nil {
		return h, err
	}
	h.busybx = bb
	if h.kver, h.vmlinuz, err = pickKernel("/boot", "/lib/modules", o.kver); err != nil {
		return h, err
	}
	for _, p := range []*string{&h.goinit, &h.mk} {
		name := "out/goinit"
		if p == &h.mk {
			name = "out/mkinitramfs"
		}
		abs, err := filepath.Abs(name)
		if err == nil {
			_, err = os.Stat(abs)
		}
		if err != nil {
			return h, fmt.Errorf("find %s: %w: run the demo from the repository with 'make demo' (it builds both programs first)", name, err)
		}
		*p = abs
	}
	return h, nil
}

// demo runs the whole demo; every resource it creates is registered in c, which the caller runs.
func demo(ctx context.Context, o options, c *cleanups) ([]*act, error) {
	heading("checking this machine")
	h, err := checkHost(o)
	if err != nil {
		return nil, err
	}
	say("    kernel %s, %s, %s, busybox %s", h.kver, h.goinit, h.mk, h.busybx)
	removeStaleNamespaces()
	if o.interactive {
		if t, err := unix.IoctlGetTermios(0, unix.TCGETS); err == nil {
			c.add("terminal settings", func() error { return unix.IoctlSetTermios(0, unix.TCSETS, t) })
		}
	}
	work, err := os.MkdirTemp("", "goinit-demo-")
	if err != nil {
		return nil, fmt.Errorf("make temp dir: %w", err)
	}
	c.add("temp dir "+work, func() error { return os.RemoveAll(work) })
	say("    working in %s (called $DEMO below; removed at the end)", work)

	heading("building the root filesystem (busybox)")
	tree := filepath.Join(work, "root")
	n, err := buildRoot(tree, h.busybx)
	if err != nil {
		return nil, err
	}
	say("    $DEMO/root: /bin/busybox with %d applet links, /etc/os-release and an /sbin/init", n)
	say("    that prints goinit's timeline and a line '%s …', then powers off", upMarker)
	img := filepath.Join(work, "root.ext4")
	if err := makeExt4(tree, img, 32); err != nil {
		return nil, err
	}
	say("    $DEMO/root.ext4: the same tree as a 32 MiB ext4 image, for AoE")

	heading("building the initramfs with mkinitramfs")
	initrd := filepath.Join(work, "initrd.img")
	argv := []string{h.mk, "-o", initrd, "-k", h.kver, "--init", h.goinit,
		"--nics", "none", "--modules", "virtio_pci,virtio_net", "--busybox", h.busybx}
	say("    %s", shortArgs(argv, work))
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stdout
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("build initramfs: %s: %w (its message is above)", filepath.Base(h.mk), err)
	}

	ns := fmt.Sprintf("%s%d", nsPrefix, os.Getpid())
	heading("starting the servers in network namespace %s", ns)
	release, err := lockRPCBind(ctx, 10*time.Minute)
	if err != nil {
		return nil, err
	}
	c.add("rpcbind lock", release)
	if err := createNamespace(ns); err != nil {
		deleteNamespace(ns) //nolint:errcheck // it may not exist
		return nil, err
	}
	c.add("namespace "+ns, func() error { return deleteNamespace(ns) })
	say("    tap0 %s in the namespace; QEMU's NIC plugs into it, nothing outside is touched", serverCIDR)
	if err := startServers(ctx, c, ns, work, tree, img); err != nil {
		return nil, err
	}

	extra := ""
	timeout := o.timeout
	if o.interactive {
		extra, timeout = " demo.shell=1", 0
	}
	acts := []*act{
		{name: "NFS", params: "root=/dev/nfs nfsroot=" + serverIP + ":/export,ro,nolock ip=dhcp AUFS=1"},
		{name: "AoE", params: "aoeroot=e7.1 ip=dhcp AUFS=1"},
	}
	for i, a := range acts {
		heading("act %d: booting the diskless client from %s", i+1, a.name)
		say("    qemu-system-x86_64 -accel tcg -kernel /boot/vmlinuz-%s -initrd $DEMO/initrd.img, NIC on tap0", h.kver)
		say("    kernel command line: %s", a.params)
		say("    (the kernel is 'quiet': what follows is mostly goinit, then the root's own init)")
		fmt.Println()
		a.res, err = bootGuest(ctx, guest{
			ns: ns, kernel: h.vmlinuz, initrd: initrd,
			append:      "quiet panic=10 " + a.params + extra,
			interactive: o.interactive, timeout: timeout,
			logPath: filepath.Join(work, fmt.Sprintf("console-%d.log", i+1)),
		})
		if err != nil {
			return nil, fmt.Errorf("act %d (%s): %w", i+1, a.name, err)
		}
		if _, err := os.Lstat(filepath.Join(tree, "root/hello.txt")); os.IsNotExist(err) {
			say("    (the server's tree has no root/hello.txt: the client's write stayed in its RAM)")
		}
		heading("act %d: the client came up %.1f s after QEMU started and powered off after %.1f s",
			i+1, a.res.upAfter.Seconds(), a.res.total.Seconds())
	}
	return acts, nil
}

// startServers starts dnsmasq, rpcbind, nfs-ganesha and vblade in ns and waits until each
// listens.
func startServers(ctx context.Context, c *cleanups, ns, work, tree, img string) error {
	start := func(name string, respawn bool, argv ...string) (*proc, error) {
		p, err := startProc(ns, work, name, respawn, argv...)
		if err != nil {
			return nil, err
		}
		c.add(name, p.stop)
		return p, nil
	}
	dconf := filepath.Join(work, "dnsmasq.conf")
	if err := writeFile(dconf, []byte(dnsmasqConfig(work)), 0o644); err != nil {
		return err
	}
	d, err := start("dnsmasq", false, "dnsmasq", "-k", "-C", dconf)
	if err != nil {
		return err
	}
	if err := waitListening(ctx, d, "udp", 67, 20*time.Second); err != nil {
		return err
	}
	say("    dnsmasq       pid %-7d DHCP 10.99.0.100-199; the client (%s) is named %s", d.pid(), guestMAC, guestName)

	r, err := start("rpcbind", false, "rpcbind", "-f")
	if err != nil {
		return err
	}
	if err := waitListening(ctx, r, "tcp", 111, 20*time.Second); err != nil {
		return err
	}
	say("    rpcbind       pid %-7d port 111 (NFSv3 needs it)", r.pid())

	rec := filepath.Join(work, "ganesha-recovery")
	if err := os.MkdirAll(rec, 0o755); err != nil {
		return fmt.Errorf("start nfs-ganesha: %w", err)
	}
	gconf := filepath.Join(work, "ganesha.conf")
	if err := writeFile(gconf, []byte(labconf.Ganesha(serverIP, tree, rec)), 0o644); err != nil {
		return err
	}
	glog := filepath.Join(work, "ganesha.log")
	g, err := start("ganesha", false, "ganesha.nfsd", "-F", "-f", gconf, "-L", glog,
		"-p", filepath.Join(work, "ganesha.pid"), "-N", "NIV_EVENT")
	if err != nil {
		return err
	}
	for _, port := range []int{2049, 20048} {
		if err := waitListening(ctx, g, "tcp", port, 30*time.Second); err != nil {
			return fmt.Errorf("%w\nganesha's own log (%s) ends with:\n%s", err, glog, labconf.Tail(glog, 15))
		}
	}
	say("    nfs-ganesha   pid %-7d NFS v3/v4 %s:/export = $DEMO/root, read-only", g.pid(), serverIP)

	v, err := start("vblade", true, "vblade", "-r", "7", "1", "tap0", img)
	if err != nil {
		return err
	}
	say("    vblade        pid %-7d AoE target e7.1 = $DEMO/root.ext4, read-only", v.pid())
	return nil
}
