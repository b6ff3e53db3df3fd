package mountopt

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		in        string
		flags     uintptr
		wantFlags uintptr
		wantData  string
	}{
		{"", unix.MS_RDONLY, unix.MS_RDONLY, ""},
		{"rw", unix.MS_RDONLY, 0, ""},
		{"ro,noatime,data=journal", 0, unix.MS_RDONLY | unix.MS_NOATIME, "data=journal"},
		{"defaults,vers=3,nolock,nosuid", 0, unix.MS_NOSUID, "vers=3,nolock"},
		{"ro,rw", 0, 0, ""},
		{" compress=zstd , subvol=@ ", 0, 0, "compress=zstd,subvol=@"},
	}
	for _, c := range cases {
		f, d := Split(c.in, c.flags)
		if f != c.wantFlags || d != c.wantData {
			t.Errorf("Split(%q, %#x) = %#x, %q; want %#x, %q", c.in, c.flags, f, d, c.wantFlags, c.wantData)
		}
	}
}

func TestJoin(t *testing.T) {
	if got := Join("", "a=1", "", "b"); got != "a=1,b" {
		t.Fatalf("Join = %q", got)
	}
}
