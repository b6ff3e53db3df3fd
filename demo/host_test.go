package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestVersionLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"6.1.0-9-amd64", "6.1.0-56-amd64", true},
		{"6.1.0-56-amd64", "6.1.0-9-amd64", false},
		{"5.10.0-28-amd64", "6.1.0-1-amd64", true},
		{"6.10.0", "6.9.0", false},
		{"6.1.0", "6.1.0-1", true},
		{"6.1.0", "6.1.0", false},
		{"6.01", "6.1", false},
		{"a", "b", true},
		{"", "1", true},
	}
	for _, tt := range tests {
		if got := versionLess(tt.a, tt.b); got != tt.want {
			t.Errorf("versionLess(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func FuzzVersionLess(f *testing.F) {
	f.Add("6.1.0-9-amd64", "6.1.0-56-amd64")
	f.Add("007", "7")
	f.Fuzz(func(t *testing.T, a, b string) {
		if versionLess(a, b) && versionLess(b, a) {
			t.Fatalf("%q < %q and %q < %q", a, b, b, a)
		}
		if versionLess(a, a) {
			t.Fatalf("%q < itself", a)
		}
	})
}

func TestPickKernel(t *testing.T) {
	dir := t.TempDir()
	boot, mods := filepath.Join(dir, "boot"), filepath.Join(dir, "modules")
	for _, d := range []string{boot, mods, filepath.Join(mods, "6.1.0-9-amd64"), filepath.Join(mods, "6.1.0-56-amd64")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// 6.1.0-60 has no modules, so the newest usable one is 6.1.0-56.
	for _, v := range []string{"6.1.0-9-amd64", "6.1.0-56-amd64", "6.1.0-60-amd64"} {
		if err := os.WriteFile(filepath.Join(boot, "vmlinuz-"+v), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, want, wantKver, wantErr string
	}{
		{"newest with modules", "", "6.1.0-56-amd64", ""},
		{"asked for", "6.1.0-9-amd64", "6.1.0-9-amd64", ""},
		{"no modules", "6.1.0-60-amd64", "", `pick kernel -k "6.1.0-60-amd64": stat ` + mods + `/6.1.0-60-amd64: no such file or directory (its modules must be installed)`},
		{"no image", "7.0", "", `pick kernel -k "7.0": stat ` + boot + `/vmlinuz-7.0: no such file or directory (want a version with ` + boot + `/vmlinuz-<version>)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kver, vmlinuz, err := pickKernel(boot, mods, tt.want)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if kver != tt.wantKver || vmlinuz != filepath.Join(boot, "vmlinuz-"+tt.wantKver) {
				t.Errorf("got %s %s, want %s", kver, vmlinuz, tt.wantKver)
			}
		})
	}
	empty := t.TempDir()
	_, _, err := pickKernel(empty, empty, "")
	want := "pick kernel: no " + empty + "/vmlinuz-<version> with modules in " + empty + "/<version>: run 'apt-get install linux-image-amd64'"
	if err == nil || err.Error() != want {
		t.Errorf("empty: error = %v, want %s", err, want)
	}
}
