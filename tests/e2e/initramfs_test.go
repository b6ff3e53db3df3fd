//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type builtImage struct {
	once sync.Once
	path string
	err  error
	took time.Duration
}

// images caches mkinitramfs outputs by their arguments, so tests asking for the same image share
// one build per run.
var images sync.Map // string -> *builtImage

// Mkinitramfs runs `out/mkinitramfs -o <file> -k <kver> --init out/goinit <args…>` and returns
// the image. Identical args share one image per run. A failure shows mkinitramfs's output.
func Mkinitramfs(t testing.TB, args ...string) string {
	t.Helper()
	e := env(t)
	mk := e.Bin(t, "mkinitramfs")
	goinit := e.Bin(t, "goinit")
	key := strings.Join(args, "\x00")
	v, _ := images.LoadOrStore(key, &builtImage{})
	img := v.(*builtImage)
	img.once.Do(func() {
		sum := sha256.Sum256([]byte(key))
		out := filepath.Join(sharedDir, fmt.Sprintf("initrd-%x.img", sum[:8]))
		full := append([]string{"-o", out, "-k", e.KVer, "--init", goinit}, args...)
		start := time.Now()
		cmd := exec.Command(mk, full...)
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		if err := cmd.Run(); err != nil {
			img.err = fmt.Errorf("run %s %s: %v\n%s", mk, strings.Join(full, " "), err, buf.String())
			return
		}
		img.path, img.took = out, time.Since(start)
	})
	if img.err != nil {
		t.Fatalf("mkinitramfs: %v", img.err)
	}
	t.Logf("initramfs %s (mkinitramfs %s; built in %s)", img.path, strings.Join(args, " "), img.took.Round(time.Millisecond))
	return img.path
}

// CanaryInitramfs builds a newc cpio without goinit: the canary is /init, plus files. It proves
// the harness (kernel, QEMU, console) on its own.
func CanaryInitramfs(t testing.TB, files ...File) string {
	t.Helper()
	canary := env(t).Bin(t, "canary")
	tree := t.TempDir()
	base := []File{{Path: "/init", Src: canary, Mode: 0o755}, {Path: "/etc/os-release", Data: osRelease}}
	writeTree(t, tree, rootDirs, append(base, files...))
	img := filepath.Join(t.TempDir(), "canary.cpio")
	if err := writeCpio(tree, img); err != nil {
		t.Fatalf("canary initramfs: %v", err)
	}
	return img
}

// writeCpio archives tree into a newc cpio with `cpio -o -H newc`, owned by root, in a stable order.
func writeCpio(tree, out string) error {
	cpio, err := lookTool("cpio", "cpio")
	if err != nil {
		return err
	}
	var names bytes.Buffer
	err = filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(tree, p)
		if err != nil {
			return err
		}
		if rel != "." {
			names.WriteString(rel + "\x00")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("walk %s: %w", tree, err)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.Command(cpio, "--quiet", "--null", "-o", "-H", "newc", "-R", "0:0")
	cmd.Dir = tree
	cmd.Stdin = &names
	cmd.Stdout = f
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("cpio -o -H newc in %s: %v: %s", tree, err, stderr.String())
	}
	return f.Close()
}
