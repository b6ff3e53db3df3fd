package pxelinux

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: Parse never panics, and whatever it accepts survives Write and Parse again
// unchanged.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.cfg"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"", "label", "LABEL a\nappend initrd=x \"y  z\" initrd=\"w", "text help\nlabel\n",
		"serial 0x3f8 0 0\nipappend 0\nlabel a\nappend -\n", "label a\nappend  initrd=\nkernel",
		"\x00label \xff\nappend \v\"", "label a\r\nlocalboot\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		checkRoundTrip(t, c)
	})
}
