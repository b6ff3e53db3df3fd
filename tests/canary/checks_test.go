package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseSHA256Spec(t *testing.T) {
	const hex64 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	tests := []struct {
		in, path, err string
	}{
		{in: "/etc/os-release:" + hex64, path: "/etc/os-release"},
		{in: "/a:b:" + strings.ToUpper(hex64), path: "/a:b"},
		{in: "/etc/os-release", err: `parse canary.sha256="/etc/os-release": want <path>:<64 hex digits>`},
		{in: ":" + hex64, err: `parse canary.sha256=":` + hex64 + `": want <path>:<64 hex digits>`},
		{in: "/x:abc", err: `parse canary.sha256="/x:abc": want <path>:<64 hex digits>, got "abc" after the last ':'`},
		{in: "/x:" + hex64[:62] + "zz", err: `parse canary.sha256="/x:` + hex64[:62] + `zz": want <path>:<64 hex digits>, got "` + hex64[:62] + `zz" after the last ':'`},
	}
	for _, tt := range tests {
		path, sum, err := parseSHA256Spec(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("parseSHA256Spec(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || path != tt.path || fmt.Sprintf("%x", sum) != hex64 {
			t.Errorf("parseSHA256Spec(%q) = %q, %x, %v; want %q, %s", tt.in, path, sum, err, tt.path, hex64)
		}
	}
}

func FuzzParseSHA256Spec(f *testing.F) {
	f.Add("/etc/os-release:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
	f.Add(":")
	f.Fuzz(func(t *testing.T, s string) {
		path, sum, err := parseSHA256Spec(s)
		if err == nil && (path == "" || len(sum) != sha256.Size) {
			t.Fatalf("parseSHA256Spec(%q) = %q, %x without error", s, path, sum)
		}
	})
}

func TestChecksFrom(t *testing.T) {
	params, _ := splitCmdline(`root=/dev/vda canary.write=/w canary.run="/bin/sh -c x" canary.cat=/c -- canary.cat=/no`)
	got := fmt.Sprint(checksFrom(params))
	want := "[{write /w} {run /bin/sh -c x} {cat /c}]"
	if got != want {
		t.Fatalf("checksFrom = %s, want %s", got, want)
	}
}

// runChecks runs the checks on a console that records its lines.
func runChecks(t *testing.T, timeout time.Duration, checks ...check) []string {
	t.Helper()
	var buf bytes.Buffer
	c := &checker{con: &console{w: &buf}, runTimeout: timeout, maxOutput: 64}
	for _, ch := range checks {
		c.run(ch)
	}
	return strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

func TestChecks(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("test\nline two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte("test\nline two\n")))
	zero := strings.Repeat("0", 64)
	script := filepath.Join(dir, "s.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho out \"$1\"\necho err >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("0123456789\n", 10)), 0o644); err != nil {
		t.Fatal(err)
	}
	ro := filepath.Join(dir, "nodir", "x")

	tests := []struct {
		name string
		ch   check
		want []string
	}{
		{"sha256 ok", check{"sha256", file + ":" + sum}, []string{"GOINIT-CANARY-CHECK sha256 " + file + " ok"}},
		{"sha256 mismatch", check{"sha256", file + ":" + zero},
			[]string{"GOINIT-CANARY-CHECK sha256 " + file + " mismatch got=" + sum + " want=" + zero}},
		{"sha256 missing", check{"sha256", dir + "/none:" + zero},
			[]string{"GOINIT-CANARY-CHECK sha256 " + dir + "/none error open " + dir + "/none: no such file or directory"}},
		{"sha256 bad spec", check{"sha256", "nohex"},
			[]string{`GOINIT-CANARY-CHECK sha256 nohex error parse canary.sha256="nohex": want <path>:<64 hex digits>`}},
		{"cat", check{"cat", file}, []string{"GOINIT-CANARY-CAT test", "GOINIT-CANARY-CAT line two", "GOINIT-CANARY-CHECK cat " + file + " ok bytes=14"}},
		{"cat truncated", check{"cat", big}, []string{
			"GOINIT-CANARY-CAT 0123456789", "GOINIT-CANARY-CAT 0123456789", "GOINIT-CANARY-CAT 0123456789",
			"GOINIT-CANARY-CAT 0123456789", "GOINIT-CANARY-CAT 0123456789",
			"GOINIT-CANARY-CAT [truncated: 110 bytes, printed up to 64]", "GOINIT-CANARY-CHECK cat " + big + " ok bytes=110"}},
		{"write ok", check{"write", filepath.Join(dir, "w")}, []string{"GOINIT-CANARY-CHECK write " + dir + "/w ok"}},
		{"write failed", check{"write", ro}, []string{"GOINIT-CANARY-CHECK write " + ro + " failed open " + ro + ": no such file or directory"}},
		{"run exit 3", check{"run", script + " arg1"}, []string{"GOINIT-CANARY-OUT out arg1", "GOINIT-CANARY-OUT err", "GOINIT-CANARY-CHECK run " + script + " failed exit=3"}},
		{"run ok", check{"run", "/bin/true"}, []string{"GOINIT-CANARY-CHECK run /bin/true ok exit=0"}},
		{"run missing", check{"run", dir + "/none"}, []string{"GOINIT-CANARY-CHECK run " + dir + "/none error fork/exec " + dir + "/none: no such file or directory"}},
		{"run empty", check{"run", " "}, []string{`GOINIT-CANARY-CHECK run "" error parse canary.run="": want a program path, e.g. canary.run=/check.sh`}},
		{"unknown", check{"frob", "x"}, []string{"GOINIT-CANARY-CHECK frob x error unknown check canary.frob (want sha256, write, cat, run or sleep)"}},
		{"sleep", check{"sleep", "1ms"}, []string{"GOINIT-CANARY-CHECK sleep 1ms ok"}},
		{"sleep too long", check{"sleep", "2m"}, []string{`GOINIT-CANARY-CHECK sleep 2m error parse canary.sleep="2m": want a Go duration from 1ms to 1m0s, e.g. 2s`}},
		{"sleep garbage", check{"sleep", "x"}, []string{`GOINIT-CANARY-CHECK sleep x error parse canary.sleep="x": want a Go duration from 1ms to 1m0s, e.g. 2s`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runChecks(t, 10*time.Second, tt.ch)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestRunTimeout(t *testing.T) {
	start := time.Now()
	got := runChecks(t, 200*time.Millisecond, check{"run", "/bin/sleep 30"})
	if want := "GOINIT-CANARY-CHECK run /bin/sleep failed timeout after 200ms"; len(got) != 1 || got[0] != want {
		t.Fatalf("lines %q, want [%q]", got, want)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("timeout took %s", d)
	}
}

func TestMarkerLine(t *testing.T) {
	got := markerLine(1, []string{"/sbin/init", `a "b"`, "<x>"}, rootMount{FSType: "ext4", Source: "/dev/vda", ReadOnly: true})
	want := `GOINIT-CANARY pid=1 argv=["/sbin/init","a \"b\"","<x>"] root=ro fstype=ext4 source=/dev/vda`
	if got != want {
		t.Fatalf("markerLine = %s\nwant        %s", got, want)
	}
	if got := markerLine(7, nil, rootMount{FSType: "rootfs", Source: "rootfs"}); got != "GOINIT-CANARY pid=7 argv=[] root=rw fstype=rootfs source=rootfs" {
		t.Fatalf("markerLine(nil argv) = %s", got)
	}
}

func TestRunTimeoutFrom(t *testing.T) {
	params, _ := splitCmdline(`canary.runtimeout=5m canary.run=/x canary.runtimeout=bad canary.runtimeout=-1s`)
	if got := runTimeoutFrom(params, time.Minute); got != 5*time.Minute {
		t.Errorf("runTimeoutFrom = %s, want 5m (bad and negative values ignored)", got)
	}
	if got := runTimeoutFrom(nil, time.Minute); got != time.Minute {
		t.Errorf("runTimeoutFrom(nil) = %s, want the default", got)
	}
	if cs := checksFrom(params); len(cs) != 1 || cs[0].Kind != "run" {
		t.Errorf("checksFrom = %+v, want only the run check", cs)
	}
}
