package main

import (
	"bytes"
	le "encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goinit/goinit/boot"
	"github.com/goinit/goinit/internal/archive"
	"github.com/goinit/goinit/internal/build"
	"github.com/goinit/goinit/pxelinux"
)

// testKernel writes a file with the x86 setup header a bzImage has, whose version string
// starts with release.
func testKernel(t *testing.T, dir, release string) string {
	t.Helper()
	b := make([]byte, 0x4000)
	copy(b[0x202:], "HdrS")
	le.LittleEndian.PutUint16(b[0x206:], 0x20f)
	le.LittleEndian.PutUint16(b[0x20e:], 0x3000)
	copy(b[0x3200:], release+" (test@example.org) #1 SMP\x00")
	p := filepath.Join(dir, "vmlinuz-"+release)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The module index of a test image: NFS (v3 and v4), the overlay, AoE; nbd built in.
const (
	testDep = "kernel/net/sunrpc/sunrpc.ko.zst:\n" +
		"kernel/fs/nfs/nfs.ko.zst: kernel/net/sunrpc/sunrpc.ko.zst\n" +
		"kernel/fs/nfs/nfsv3.ko.zst: kernel/fs/nfs/nfs.ko.zst\n" +
		"kernel/fs/nfs/nfsv4.ko.zst: kernel/fs/nfs/nfs.ko.zst\n" +
		"kernel/fs/overlayfs/overlay.ko.zst:\n" +
		"kernel/drivers/block/aoe/aoe.ko.zst:\n"
	testAlias   = "alias fs-nfs nfs\nalias fs-nfs4 nfsv4\nalias fs-overlay overlay\n"
	testBuiltin = "kernel/drivers/block/nbd.ko\n"
)

// testImage writes a newc initramfs with index files for release (none when files is nil).
func testImage(t *testing.T, dir, name, release string, files map[string]string) string {
	t.Helper()
	b := archive.New(0)
	if err := b.AddFile("init", []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for n, data := range files {
		if err := b.AddFile("lib/modules/"+release+"/"+n, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func testIndexFiles() map[string]string {
	return map[string]string{"modules.dep": testDep, "modules.alias": testAlias, "modules.builtin": testBuiltin}
}

func TestCheckImage(t *testing.T) {
	dir := t.TempDir()
	const rel = "6.1.0-99-test"
	kernel := testKernel(t, dir, rel)
	otherKernel := testKernel(t, dir, "6.1.0-100-test")
	notBz := filepath.Join(dir, "not-a-bzimage")
	if err := os.WriteFile(notBz, []byte("an arm64 Image, say"), 0o644); err != nil {
		t.Fatal(err)
	}
	img := testImage(t, dir, "full.img", rel, testIndexFiles())
	noAoE := testImage(t, dir, "nfs-only.img", rel, map[string]string{
		"modules.dep": strings.ReplaceAll(testDep, "kernel/drivers/block/aoe/aoe.ko.zst:\n", ""), "modules.alias": testAlias})
	noIndex := testImage(t, dir, "no-modules.img", rel, nil)

	tests := []struct {
		name, kernel, initrd, append string
		err, note                    string // parts of the error and of the note; "" for none
	}{
		{"nfs v4 and v3 with overlay", kernel, img, "root=nfs:10.99.0.1:/export rd.overlay", "", ""},
		{"seed nfsroot", kernel, img, "root=/dev/nfs nfsroot=10.99.0.1:/export,ro,nolock AUFS=1", "", ""},
		{"aoe", kernel, img, "root=aoe:e7.1", "", ""},
		{"nbd built in", kernel, img, "root=nbd:10.99.0.1:root ip=dhcp", "", ""},
		{"aoe missing", kernel, noAoE, "root=aoe:e7.1",
			`--initrd "` + noAoE + `" has no module for "aoe", which APPEND root=aoe:e7.1 needs at boot (kernel 6.1.0-99-test); rebuild the image with --roots including aoe (or --roots all)`, ""},
		{"iscsi and a filesystem missing", kernel, img, "root=iscsi:10.99.0.1::::iqn.2025-01.test:root rootfstype=xfs",
			`has no module for "iscsi_tcp", "sd_mod", "fs-xfs", which APPEND root=iscsi:10.99.0.1::::iqn.2025-01.test:root rootfstype=xfs needs at boot (kernel 6.1.0-99-test); rebuild the image with --roots including iscsi (or --roots all) and --modules xfs`, ""},
		{"kernel release differs", otherKernel, img, "root=aoe:e7.1",
			`--kernel "` + otherKernel + `" is release 6.1.0-100-test, but --initrd "` + img + `" carries modules for 6.1.0-99-test: the client would load none of them; rebuild the image with mkinitramfs -k 6.1.0-100-test`, ""},
		{"kernel not a bzImage", notBz, img, "root=aoe:e7.1", "",
			`not an x86 bzImage with a version string, so the image's modules (for 6.1.0-99-test) were not checked against its release`},
		{"kernel not a bzImage, module missing", notBz, noAoE, "root=aoe:e7.1", `has no module for "aoe"`, "not an x86 bzImage"},
		{"image without modules", kernel, noIndex, "root=aoe:e7.1", "",
			`--initrd "` + noIndex + `" carries no module index (lib/modules/*/modules.dep), so its modules were not checked against --kernel and the root`},
		{"initrd is not an initramfs", kernel, kernel, "root=aoe:e7.1",
			`pxelinux: --initrd: read image "` + kernel + `": `, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var notes []string
			err := checkImage(bootFiles{tt.kernel, tt.initrd, "--kernel", "--initrd"}, tt.append, func(s string) { notes = append(notes, s) })
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("checkImage: %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("checkImage = %v\nwant an error with %s", err, tt.err)
			}
			note := strings.Join(notes, "\n")
			if (tt.note == "") != (note == "") || !strings.Contains(note, tt.note) {
				t.Errorf("notes = %q, want one with %q", note, tt.note)
			}
		})
	}
}

func TestLabelVerdict(t *testing.T) {
	root := t.TempDir()
	const rel = "6.1.0-99-test"
	testKernel(t, root, rel)
	testImage(t, root, "full.img", rel, testIndexFiles())
	testImage(t, root, "nfs-only.img", rel, map[string]string{"modules.dep": "kernel/fs/nfs/nfs.ko.zst:\n", "modules.alias": "alias fs-nfs nfs\n"})
	label := func(kernel, initrd string) *pxelinux.Label {
		return &pxelinux.Label{Name: "goinit", Kernel: kernel, Initrd: initrd}
	}
	tests := []struct {
		name    string
		l       *pxelinux.Label
		cmdline string
		root    string
		want    []string
	}{
		{"ok", label("vmlinuz-"+rel, "full.img"), "root=aoe:e7.1", root, []string{"ok"}},
		{"absolute names", label("/vmlinuz-"+rel, "/full.img"), "root=aoe:e7.1", root, []string{"ok"}},
		{"bad cmdline", label("vmlinuz-"+rel, "full.img"), "root=aoe:e7", root, []string{`cmdline: root="aoe:e7"`}},
		{"kernel missing", label("vmlinuz-old", "full.img"), "root=aoe:e7.1", root,
			[]string{"KERNEL vmlinuz-old is not in the TFTP root " + root + ": PXELINUX would fail to load it (stat " + filepath.Join(root, "vmlinuz-old") + ": no such file or directory)"}},
		{"no way out of the root", label("../../etc/vmlinuz-"+rel, "full.img"), "root=aoe:e7.1", root,
			[]string{"KERNEL ../../etc/vmlinuz-" + rel + " is not in the TFTP root " + root}},
		{"module missing", label("vmlinuz-"+rel, "nfs-only.img"), "root=aoe:e7.1", root,
			[]string{`INITRD "` + filepath.Join(root, "nfs-only.img") + `" has no module for "aoe", which APPEND root=aoe:e7.1 needs at boot`}},
		{"two initrds", label("vmlinuz-"+rel, "full.img,extra.img"), "root=aoe:e7.1", root,
			[]string{`note: INITRD "full.img,extra.img" is not one file: the initramfs was not checked`, "ok"}},
		{"no initrd", label("vmlinuz-"+rel, ""), "root=aoe:e7.1", root,
			[]string{"not goinit's: the label has no INITRD, so goinit would not run"}},
		{"config elsewhere", label("vmlinuz-"+rel, "full.img"), "root=aoe:e7.1", "",
			[]string{"note: the config is not in a pxelinux.cfg directory, so its KERNEL and INITRD files were not checked", "ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fails := labelVerdict(tt.l, tt.cmdline, tt.root)
			if last := tt.want[len(tt.want)-1]; fails != (last != "ok" && !strings.HasPrefix(last, "not goinit's")) {
				t.Errorf("labelVerdict fails = %v for %q", fails, got)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("labelVerdict = %q, want %d line(s) like %q", got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("line %d = %q, want it to start with %q", i, got[i], tt.want[i])
				}
			}
		})
	}
	if got, want := tftpRootOf(filepath.Join(root, "pxelinux.cfg", "default")), root; got != want {
		t.Errorf("tftpRootOf(<root>/pxelinux.cfg/default) = %q, want %q", got, want)
	}
	if got := tftpRootOf(filepath.Join(root, "default")); got != "" {
		t.Errorf("tftpRootOf(<root>/default) = %q, want none", got)
	}
}

// The --roots names boot.RebuildHint gives are mkinitramfs's own.
func TestRebuildHintRootTypes(t *testing.T) {
	for _, m := range []string{"aoe", "nbd", "iscsi_tcp", "fs-nfs4"} {
		h := boot.RebuildHint(m)
		_, rest, ok := strings.Cut(h, "--roots including ")
		root, _, _ := strings.Cut(rest, " ")
		if !ok || !slices.Contains(build.RootTypes, root) {
			t.Errorf("RebuildHint(%q) = %q: %q is not one of --roots %v", m, h, root, build.RootTypes)
		}
	}
}
