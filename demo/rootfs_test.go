package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseApplets(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr string
	}{
		{"usual", "linuxrc\nbin/ash\nsbin/init\nusr/bin/awk\n\n", []string{"bin/ash", "usr/bin/awk"}, ""},
		{"absolute", "bin/ls\n/bin/sh\n", nil, `parse busybox --list-full: applet path "/bin/sh": want a relative path like bin/ls`},
		{"escape", "../etc/passwd\n", nil, `parse busybox --list-full: applet path "../etc/passwd": want a relative path like bin/ls`},
		{"unclean", "bin//ls\n", nil, `parse busybox --list-full: applet path "bin//ls": want a relative path like bin/ls`},
		{"empty", "\n", nil, "parse busybox --list-full: no applets listed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseApplets(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func FuzzParseApplets(f *testing.F) {
	f.Add("linuxrc\nbin/ash\nusr/bin/awk\n")
	f.Add("../x\n")
	f.Fuzz(func(t *testing.T, in string) {
		paths, err := parseApplets(in)
		if err != nil {
			return
		}
		for _, p := range paths {
			if strings.HasPrefix(p, "/") || p == ".." || strings.HasPrefix(p, "../") || filepath.Clean(p) != p {
				t.Fatalf("accepted applet path %q", p)
			}
		}
	})
}

// TestBuildRoot builds the demo root with the host's busybox and checks what the guest needs.
func TestBuildRoot(t *testing.T) {
	bb, err := tool("busybox", "busybox-static")
	if err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	n, err := buildRoot(dir, bb)
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Errorf("%d applets linked, want a full busybox", n)
	}
	for _, p := range []string{"bin/sh", "usr/bin/awk", "sbin/poweroff"} {
		if l, err := os.Readlink(filepath.Join(dir, p)); err != nil || l != "/bin/busybox" {
			t.Errorf("%s: link %q, %v; want /bin/busybox", p, l, err)
		}
	}
	st, err := os.Stat(filepath.Join(dir, "sbin/init"))
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("sbin/init: %v %v, want mode 0755", st, err)
	}
	for _, p := range []string{"etc/os-release", guestAwkDir[1:] + "/timeline.awk", guestAwkDir[1:] + "/root.awk"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Error(err)
		}
	}
}
