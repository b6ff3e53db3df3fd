package fsprobe

import (
	"encoding/binary"
	"testing"
	"unicode/utf16"
)

func utf16Bytes(s string, size int, bigEndian bool) []byte {
	b := make([]byte, size)
	for i, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			binary.BigEndian.PutUint16(b[2*i:], u)
		} else {
			binary.LittleEndian.PutUint16(b[2*i:], u)
		}
	}
	return b
}

func TestFormatUUID(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{[]byte{0x0b, 0x1c, 0x2d, 0x3e, 0x4f, 0x50, 0x46, 0x17, 0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9}, "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"},
		{make([]byte, 16), ""},
		{[]byte{1, 2, 3}, ""},
	}
	for _, tc := range tests {
		if got := formatUUID(tc.in); got != tc.want {
			t.Errorf("formatUUID(% x) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatGUID(t *testing.T) {
	// the EFI system partition type as it is stored on disk
	esp := []byte{0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b}
	if got, want := formatGUID(esp), "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"; got != want {
		t.Errorf("formatGUID = %q, want %q", got, want)
	}
	if got := formatGUID(esp[:8]); got != "" {
		t.Errorf("formatGUID(8 bytes) = %q, want \"\"", got)
	}
}

func TestCLabel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"root\x00\x00\x00", "root"},
		{"root\x00junk", "root"},
		{"EFI SYS    ", "EFI SYS"},
		{"tabs\t\r\n\v\f ", "tabs"},
		{"  lead", "  lead"},
		{"           ", ""},
		{"\x00abc", ""},
		{"caf\xe9", "caf\xe9"}, // bytes stay as they are
	}
	for _, tc := range tests {
		if got := cLabel([]byte(tc.in)); got != tc.want {
			t.Errorf("cLabel(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUTF16Label(t *testing.T) {
	lone := make([]byte, 8)
	binary.LittleEndian.PutUint16(lone, 0xD83D) // a high surrogate without its pair
	binary.LittleEndian.PutUint16(lone[2:], 'x')
	tests := []struct {
		name string
		in   []byte
		be   bool
		want string
	}{
		{"LE ASCII", utf16Bytes("root", 72, false), false, "root"},
		{"LE non-ASCII", utf16Bytes("swäp ünd mehr", 72, false), false, "swäp ünd mehr"},
		{"BE surrogate pair", utf16Bytes("disk 😀", 32, true), true, "disk 😀"},
		{"trailing spaces", utf16Bytes("CDROM      ", 32, true), true, "CDROM"},
		{"ends at NUL", append(utf16Bytes("ab", 6, false), 'z', 0), false, "ab"},
		{"lone surrogate", lone, false, "\uFFFDx"},
		{"odd length", []byte{'a', 0, 'b'}, false, "a"},
	}
	for _, tc := range tests {
		if got := utf16Label(tc.in, tc.be); got != tc.want {
			t.Errorf("%s: utf16Label = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestMergeJolietLabel(t *testing.T) {
	pad := func(s string) []byte { // a PVD volume id: 32 bytes padded with spaces
		b := []byte(s)
		for len(b) < 32 {
			b = append(b, ' ')
		}
		return b
	}
	joliet := func(s string) []byte { // a Joliet volume id: 16 units padded with U+0020
		b := utf16Bytes(s, 32, true)
		for i := len(utf16.Encode([]rune(s))); i < 16; i++ {
			binary.BigEndian.PutUint16(b[2*i:], ' ')
		}
		return b
	}
	tests := []struct {
		name      string
		uni, pvd  []byte
		want      string
		wantMerge bool
	}{
		{"Joliet is a prefix of the same-case PVD", joliet("Debian 12.5.0 am"), pad("Debian 12.5.0 amd64 netinst"), "Debian 12.5.0 amd64 netinst", true},
		{"upper-case PVD: Joliet's case for its part only", joliet("Debian 12.5.0 am"), pad("DEBIAN 12.5.0 AMD64 NETINST"), "Debian 12.5.0 amD64 NETINST", true},
		{"'_' in the PVD stands for a non-ASCII character", joliet("Live Système 202"), pad("LIVE SYST_ME 2024 AMD64"), "Live Système 2024 AMD64", true},
		{"surrogate pair against one '_'", joliet("A😀B"), pad("A_B"), "A😀B", true},
		{"different names: no merge", joliet("Rescue"), pad("INSTALL"), "Rescue", false},
		{"short Joliet name, longer PVD: no merge", joliet("Short"), pad("SHORT AND LONGER"), "Short", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			merged := mergeJolietLabel(tc.uni, tc.pvd)
			if (merged != nil) != tc.wantMerge {
				t.Fatalf("merged = %v, want merge %v", merged != nil, tc.wantMerge)
			}
			src := tc.uni
			if merged != nil {
				src = merged
			}
			if got := utf16Label(src, true); got != tc.want {
				t.Errorf("label %q, want %q", got, tc.want)
			}
		})
	}
}

func TestISODateUUID(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"2024011512304500\x00", "2024-01-15-12-30-45-00"},
		{"2024011512304500\x04", "2024-01-15-12-30-45-00"},
		{"0000000000000000\x00", ""},
		{"0000000000000000\x08", "0000-00-00-00-00-00-00"},
		{"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", ""},
		{"2024-1-15 123045\x00", ""},
	}
	for _, tc := range tests {
		if got := isoDateUUID([]byte(tc.in)); got != tc.want {
			t.Errorf("isoDateUUID(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
