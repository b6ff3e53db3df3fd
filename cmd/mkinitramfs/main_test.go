package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// binary builds mkinitramfs once for the tests that run it as a command.
func binary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = "/usr/local/go/bin/go"
	}
	out := filepath.Join(t.TempDir(), "mkinitramfs")
	cmd := exec.Command(goTool, "build", "-ldflags", "-X main.version=test-1.2", "-o", out, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, b)
	}
	return out
}

func runCmd(t *testing.T, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestCommand(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // the exact one-line error, or "" for none
		stdout string // a substring of stdout
	}{
		{"help", []string{"-h"}, 0, "", "mkinitramfs ls FILE"},
		{"help examples", []string{"--help"}, 0, "", "Examples:"},
		{"version", []string{"--version"}, 0, "", "mkinitramfs test-1.2\n"},
		{"unknown flag", []string{"--frobnicate"}, 2, "mkinitramfs: flag provided but not defined: -frobnicate (see mkinitramfs -h)\n", ""},
		{"no output", []string{}, 2, "mkinitramfs: check config: no output file: give -o FILE\n", ""},
		{"bad nics", []string{"-o", "x", "--nics", "all"}, 2, "mkinitramfs: check config: --nics \"all\": want generic, host or none\n", ""},
		{"bad module compress", []string{"-o", "x", "--module-compress", "xz"}, 2, "mkinitramfs: check config: --module-compress \"xz\": want zstd or none\n", ""},
		{"bad compress", []string{"-o", "x", "--compress", "bz2"}, 2, "mkinitramfs: check config: --compress: parse compression \"bz2\": want one of zstd, gzip, xz, lz4, none\n", ""},
		{"stray argument", []string{"-o", "x", "extra"}, 2, "mkinitramfs: unexpected argument \"extra\": flags only, or the subcommand ls (see mkinitramfs -h)\n", ""},
		{"quiet and verbose", []string{"-o", "x", "--quiet", "--verbose"}, 2, "mkinitramfs: --quiet and --verbose exclude each other\n", ""},
		{"ls without file", []string{"ls"}, 2, "mkinitramfs: ls: want one image file, got 0 arguments (usage: mkinitramfs ls FILE)\n", ""},
		{"ls missing file", []string{"ls", filepath.Join(dir, "nope")}, 1, "mkinitramfs: read image: open " + filepath.Join(dir, "nope") + ": no such file or directory\n", ""},
		{"missing kernel", []string{"-o", filepath.Join(dir, "i"), "-k", "0.0-none", "--moddir", dir}, 1,
			"mkinitramfs: find kernel -k \"0.0-none\": " + dir + "/0.0-none does not exist; no kernel module directories in " + dir + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, bin, tt.args...)
			if code != tt.code || errOut != tt.stderr || !strings.Contains(out, tt.stdout) {
				t.Errorf("exit %d, stderr %q, stdout %q\nwant exit %d, stderr %q, stdout containing %q", code, errOut, out, tt.code, tt.stderr, tt.stdout)
			}
		})
	}
}

// A real build through the command, listed back with ls.
func TestCommandBuildAndList(t *testing.T) {
	if _, err := os.Stat("/lib/modules"); err != nil {
		t.Skip("no /lib/modules")
	}
	bin := binary(t)
	dir := t.TempDir()
	// mkinitramfs itself is static (CGO_ENABLED=0) and stands in for goinit here.
	img := filepath.Join(dir, "initrd.img")
	out, errOut, code := runCmd(t, bin, "-o", img, "--init", bin, "--nics", "none", "--busybox", "none", "--compress", "gzip")
	if code != 0 {
		if strings.Contains(errOut, "find kernel") {
			t.Skip(errOut)
		}
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// Warnings (this machine may run another kernel than the installed one) come first.
	var summary []string
	for _, l := range strings.Split(strings.TrimSuffix(errOut, "\n"), "\n") {
		if !strings.HasPrefix(l, "warning: ") {
			summary = append(summary, l)
		}
	}
	if out != "" || len(summary) != 2 || !strings.HasPrefix(summary[0], img+": gzip, ") || !strings.HasPrefix(summary[1], "kernel ") {
		t.Errorf("stdout %q, stderr %q: want the two-line summary on stderr", out, errOut)
	}
	out, errOut, code = runCmd(t, bin, "ls", img)
	if code != 0 {
		t.Fatalf("ls: exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"drwxr-xr-x          0 .\n", "crw-------       5, 1 dev/console\n", "crw-rw-rw-       1, 3 dev/null\n",
		"lrwxrwxrwx          5 lib/goinit/modprobe -> /init\n", "drwxrwxrwt          0 tmp\n", " etc/goinit/image.json\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("ls output lacks %q", want)
		}
	}
	_, errOut, code = runCmd(t, bin, "-o", img, "--init", bin, "--nics", "none", "--busybox", "none", "--quiet")
	if code != 0 || errOut != "" {
		t.Errorf("--quiet: exit %d, stderr %q; want 0 and nothing", code, errOut)
	}
}
