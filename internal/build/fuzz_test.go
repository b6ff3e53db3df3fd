package build

import (
	"errors"
	"strings"
	"testing"
)

func FuzzVersionLess(f *testing.F) {
	f.Add("6.1.0-56-amd64", "6.1.0-9-amd64")
	f.Add("6.10", "6.9")
	f.Add("6.01", "6.1")
	f.Add("", "1")
	f.Fuzz(func(t *testing.T, a, b string) {
		if versionLess(a, a) {
			t.Fatalf("versionLess(%q, %q) is true", a, a)
		}
		if versionLess(a, b) && versionLess(b, a) {
			t.Fatalf("versionLess(%q, %q) and versionLess(%q, %q) both true", a, b, b, a)
		}
	})
}

func FuzzParseApplets(f *testing.F) {
	f.Add([]byte("bin/sh\nsbin/ifconfig\n"))
	f.Add([]byte("../x\n/abs\n\n \t\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		for _, a := range parseApplets(out) {
			if a == "" || strings.HasPrefix(a, "/") || strings.Contains("/"+a+"/", "/../") {
				t.Fatalf("parseApplets gave %q", a)
			}
		}
	})
}

func FuzzBzImageRelease(f *testing.F) {
	f.Add(fakeBzImage(0x20f, 0x3000, "6.1.0-56-amd64 (x) #1"))
	f.Add(fakeBzImage(0x20f, 0x3000, "6.1.0")[:0x3100])
	f.Add([]byte("HdrS"))
	f.Fuzz(func(t *testing.T, head []byte) {
		rel, err := BzImageRelease(head)
		if err == nil && !validRelease(rel) {
			t.Fatalf("BzImageRelease gave %q", rel)
		}
		if err != nil && !errors.Is(err, ErrNotBzImage) {
			t.Fatalf("BzImageRelease error %v is not ErrNotBzImage", err)
		}
	})
}
