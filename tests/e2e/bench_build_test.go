//go:build e2e && bench

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// benchImage is one initramfs generator configuration the bench builds, sizes and boots.
type benchImage struct {
	Key    string // short id, e.g. "goinit-generic"
	Label  string // table label
	Peer   bool   // not ours: failures are recorded, not test failures
	Append string // how this image's init is told to mount the NFS root with DHCP
	// build writes the image to out and returns the combined output of the generator.
	build func(t *testing.T, out string) ([]byte, error)

	// Results.
	BuildSecs []float64
	SizeBytes []float64
	BuildErr  string
	Path      string // the last successful build
	Contents  string // for ours: `mkinitramfs ls`, to know which NIC drivers are inside
}

// Append lines (TESTBED.md, CMDLINE.md): goinit takes the initramfs-tools form as it is.
const (
	appendITools = "root=/dev/nfs nfsroot=10.99.0.1:/export ip=dhcp boot=nfs"
	appendDracut = "root=nfs:10.99.0.1:/export rd.neednet=1 ip=dhcp"
	appendGoinit = "root=/dev/nfs nfsroot=10.99.0.1:/export ip=dhcp"
)

// benchImages lists what `make bench` compares, ours first.
func benchImages(e *Env) []*benchImage {
	mk := filepath.Join(e.Out, "mkinitramfs")
	goinit := filepath.Join(e.Out, "goinit")
	ours := func(args ...string) func(*testing.T, string) ([]byte, error) {
		return func(t *testing.T, out string) ([]byte, error) {
			full := append([]string{"-o", out, "-k", e.KVer, "--init", goinit}, args...)
			// BENCH_GOINIT_FLAGS adds flags to every goinit build, to try one on all rows.
			return runTool(mk, append(full, strings.Fields(os.Getenv("BENCH_GOINIT_FLAGS"))...)...)
		}
	}
	itools := func(modules string) func(*testing.T, string) ([]byte, error) {
		return func(t *testing.T, out string) ([]byte, error) {
			conf, err := itoolsConf(t.TempDir(), modules)
			if err != nil {
				return nil, err
			}
			return runTool("mkinitramfs", "-d", conf, "-o", out, e.KVer)
		}
	}
	dracut := func(args ...string) func(*testing.T, string) ([]byte, error) {
		return func(t *testing.T, out string) ([]byte, error) {
			full := append(append([]string{"--no-hostonly"}, args...), "-f", out, e.KVer)
			return runTool("dracut", full...)
		}
	}
	return []*benchImage{
		{Key: "goinit-generic", Label: "goinit `--nics generic` (every root type)", Append: appendGoinit, build: ours("--nics", "generic")},
		{Key: "goinit-generic-nfs", Label: "goinit `--nics generic --roots nfs`", Append: appendGoinit, build: ours("--nics", "generic", "--roots", "nfs")},
		{Key: "goinit-host", Label: "goinit `--nics host --roots nfs`", Append: appendGoinit, build: ours("--nics", "host", "--roots", "nfs")},
		{Key: "goinit-same", Label: "goinit with the busybox /init's modules (`--nics none --modules virtio_pci,virtio_net,e1000 --roots nfs`)",
			Append: appendGoinit, build: ours("--nics", "none", "--modules", strings.Join(busyboxInitModules[:3], ","), "--roots", "nfs")},
		{Key: "itools-netboot", Label: "initramfs-tools MODULES=netboot", Peer: true, Append: appendITools, build: itools("netboot")},
		{Key: "itools-most", Label: "initramfs-tools MODULES=most", Peer: true, Append: appendITools, build: itools("most")},
		{Key: "dracut", Label: "dracut 059 (no systemd)", Peer: true, Append: appendDracut,
			build: dracut("-m", "base udev-rules nfs network-legacy")},
		{Key: "dracut-systemd", Label: "dracut 059 systemd + network-legacy", Peer: true, Append: appendDracut,
			build: dracut("-a", "nfs network-legacy", "-o", "systemd-networkd")},
		{Key: "busybox-init", Label: "hand-written busybox /init (reference)", Peer: true, Append: appendGoinit,
			build: func(t *testing.T, out string) ([]byte, error) { return buildBusyboxInit(t, e.KVer, out) }},
	}
}

// onlyImages keeps the images BENCH_ONLY names (comma-separated keys, e.g.
// "goinit-generic,busybox-init"), for trying a change without the peers' long builds; empty
// keeps all. The ratios of a partial run show n/a for what was left out.
func onlyImages(t *testing.T, imgs []*benchImage, only string) []*benchImage {
	if only == "" {
		return imgs
	}
	var kept []*benchImage
	var keys []string
	for _, img := range imgs {
		keys = append(keys, img.Key)
		for _, k := range strings.Split(only, ",") {
			if strings.TrimSpace(k) == img.Key {
				kept = append(kept, img)
			}
		}
	}
	if len(kept) == 0 {
		t.Fatalf("bench: BENCH_ONLY=%q names no image; the keys are %s", only, strings.Join(keys, ", "))
	}
	return kept
}

// itoolsConf copies /etc/initramfs-tools into dir/conf with MODULES= (and BOOT=nfs for the
// netboot set) set in initramfs.conf, so the host's own configuration is never changed.
func itoolsConf(dir, modules string) (string, error) {
	conf := filepath.Join(dir, "conf")
	if out, err := exec.Command("cp", "-a", "/etc/initramfs-tools", conf).CombinedOutput(); err != nil {
		return "", fmt.Errorf("copy /etc/initramfs-tools to %s: %v: %s", conf, err, out)
	}
	path := filepath.Join(conf, "initramfs.conf")
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("initramfs-tools conf: %w", err)
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "MODULES=") || strings.HasPrefix(l, "BOOT=") {
			continue
		}
		lines = append(lines, l)
	}
	lines = append(lines, "MODULES="+modules)
	if modules == "netboot" {
		lines = append(lines, "BOOT=nfs")
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("initramfs-tools conf: %w", err)
	}
	return conf, nil
}

// runTool runs a generator and returns its combined output.
func runTool(name string, args ...string) ([]byte, error) {
	var buf bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		return buf.Bytes(), fmt.Errorf("run %s %s: %w", name, strings.Join(args, " "), err)
	}
	return buf.Bytes(), nil
}

// ensureDracut installs dracut 059 beside initramfs-tools when it is missing
// (apt-get install --no-install-recommends dracut-core dracut-network). A failure is returned
// and recorded; the dracut rows then say so.
func ensureDracut(t *testing.T) error {
	if _, err := exec.LookPath("dracut"); err == nil {
		return nil
	}
	t.Logf("bench: dracut missing; apt-get install --no-install-recommends dracut-core dracut-network")
	cmd := exec.Command("apt-get", "install", "-y", "--no-install-recommends", "dracut-core", "dracut-network")
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("install dracut: apt-get install dracut-core dracut-network: %v: %s", err, lastLines(string(out), 5))
	}
	return nil
}

// benchBuilds builds every image runs times, one build at a time, and keeps the last image.
func benchBuilds(t *testing.T, imgs []*benchImage, runs int, dir string, dracutErr error) {
	for _, img := range imgs {
		if dracutErr != nil && strings.HasPrefix(img.Key, "dracut") {
			img.BuildErr = dracutErr.Error()
			continue
		}
		for r := 0; r < runs; r++ {
			out := filepath.Join(dir, fmt.Sprintf("%s-%d.img", img.Key, r))
			start := time.Now()
			log, err := img.build(t, out)
			took := time.Since(start)
			if err != nil {
				img.BuildErr = fmt.Sprintf("%v: %s", err, lastLines(string(log), 3))
				if img.Peer {
					t.Logf("bench: build %s failed (recorded): %s\n%s", img.Key, err, lastLines(string(log), 20))
				} else {
					t.Errorf("bench: build %s: %v\n%s", img.Key, err, log)
				}
				break
			}
			st, err := os.Stat(out)
			if err != nil {
				img.BuildErr = err.Error()
				t.Errorf("bench: build %s: %v", img.Key, err)
				break
			}
			img.BuildSecs = append(img.BuildSecs, took.Seconds())
			img.SizeBytes = append(img.SizeBytes, float64(st.Size()))
			if img.Path != "" {
				os.Remove(img.Path)
			}
			img.Path = out
			t.Logf("bench: build %s run %d: %.2fs, %d bytes", img.Key, r+1, took.Seconds(), st.Size())
		}
		if img.Path != "" && !img.Peer {
			if out, err := runTool(filepath.Join(env(t).Out, "mkinitramfs"), "ls", img.Path); err == nil {
				img.Contents = string(out)
			}
		}
	}
}

// hasDriver reports whether an image can drive the guest NIC model: peers carry every NIC
// driver; ours only what `mkinitramfs ls` lists.
func (img *benchImage) hasDriver(model string) bool {
	if img.Peer {
		return true
	}
	mod := map[string]string{"virtio-net-pci": "/virtio_net.ko", "e1000": "/e1000.ko"}[model]
	return strings.Contains(img.Contents, mod)
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
