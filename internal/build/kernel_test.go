package build

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestVersionLess(t *testing.T) {
	in := []string{"6.10.1-amd64", "6.1.0-56-amd64", "6.1.0-9-amd64", "5.10.0-30-amd64", "6.1.0-56-rt-amd64", "6.1", "6.1.0-56-amd64+debug"}
	want := "5.10.0-30-amd64 6.1 6.1.0-9-amd64 6.1.0-56-amd64 6.1.0-56-amd64+debug 6.1.0-56-rt-amd64 6.10.1-amd64"
	sort.Slice(in, func(i, j int) bool { return versionLess(in[i], in[j]) })
	if got := strings.Join(in, " "); got != want {
		t.Errorf("sorted\n%s\nwant\n%s", got, want)
	}
}

func TestResolveKernel(t *testing.T) {
	base := t.TempDir()
	for _, v := range []string{"5.10.0-30-amd64", "6.1.0-9-amd64", "6.1.0-56-amd64"} {
		os.MkdirAll(filepath.Join(base, v), 0o755)
	}
	os.WriteFile(filepath.Join(base, "not-a-dir"), nil, 0o644)
	empty := t.TempDir()
	tests := []struct {
		name, base, requested, running, want, err string
	}{
		{"requested", base, "6.1.0-9-amd64", "6.1.0-56-amd64", "6.1.0-9-amd64", ""},
		{"running", base, "", "5.10.0-30-amd64", "5.10.0-30-amd64", ""},
		{"newest", base, "", "6.18.44-other", "6.1.0-56-amd64", ""},
		{"requested missing", base, "7.0", "", "",
			`find kernel -k "7.0": ` + base + `/7.0 does not exist; installed in ` + base + `: 5.10.0-30-amd64, 6.1.0-9-amd64, 6.1.0-56-amd64`},
		{"requested path", base, "../x", "", "", `find kernel -k "../x": want a kernel release like 6.1.0-56-amd64, not a path`},
		{"nothing installed", empty, "", "6.18.44", "",
			`find kernel: the running kernel "6.18.44" has no ` + empty + `/6.18.44 and no kernel module directories in ` + empty + `; give -k KVER and --moddir DIR`},
		{"file is not a kernel", base, "not-a-dir", "", "",
			`find kernel -k "not-a-dir": ` + base + `/not-a-dir does not exist; installed in ` + base + `: 5.10.0-30-amd64, 6.1.0-9-amd64, 6.1.0-56-amd64`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolveKernel(tt.base, tt.requested, tt.running)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("error = %v\nwant %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
