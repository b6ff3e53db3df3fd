package modalias

import "testing"

func TestFnmatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"", "", true},
		{"", "a", false},
		{"a", "", false},
		{"*", "", true},
		{"*", "anything/at.all", true},
		{"a*", "a", true},
		{"a*b", "ab", true},
		{"a*b", "axxb", true},
		{"a*b", "axxbc", false},
		{"a*b*c", "abXbc", true},
		{"**", "x", true},
		{"?", "", false},
		{"?", "/", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"[abc]", "b", true},
		{"[abc]", "d", false},
		{"[!abc]", "d", true},
		{"[^abc]", "a", false},
		{"[0-2]", "1", true},
		{"[0-2]", "3", false},
		{"[2-0]", "1", false},
		{"[]a]", "]", true},
		{"[!]a]", "]", false},
		{"[!]a]", "b", true},
		{"[a-]", "-", true},
		{"[-a]", "-", true},
		{"[[:digit:]]x", "7x", true},
		{"[[:upper:][:digit:]]", "Q", true},
		{"[[:upper:]]", "q", false},
		{"[[:xdigit:]]", "f", true},
		{"[[:bogus:]]", "a", false},
		{"[abc", "[abc", true},
		{"[abc", "a", false},
		{"a[", "a[", true},
		{`\*`, "*", true},
		{`\*`, "a", false},
		{`a\`, `a\`, false},
		{`[\]]`, "]", true},
		{"*[0-2]", "xx2", true},
		{"*[0-2]", "xx3", false},
		// Real modules.alias shapes.
		{"usb:v13FDp3940d0[0-2]*dc*dsc*dp*ic*isc*ip*in*", "usb:v13FDp3940d0150dc00dsc00dp00ic08isc06ip50in00", true},
		{"usb:v13FDp3940d0[0-2]*dc*dsc*dp*ic*isc*ip*in*", "usb:v13FDp3940d0350dc00dsc00dp00ic08isc06ip50in00", false},
		{"usb:v0D96p5200d000[1-9]dc*dsc*dp*ic*isc*ip*in*", "usb:v0D96p5200d0005dc00dsc00dp00ic08isc06ip50in00", true},
		{"usb:v0D96p5200d000[1-9]dc*dsc*dp*ic*isc*ip*in*", "usb:v0D96p5200d0000dc00dsc00dp00ic08isc06ip50in00", false},
		{"pci:v00008086d0000100Esv*sd*bc*sc*i*", "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00", true},
		{"pci:v00008086d0000100Esv*sd*bc*sc*i*", "pci:v00008086d0000100Fsv00001AF4sd00001100bc02sc00i00", false},
		{"virtio:d00000001v*", "virtio:d00000001v00001AF4", true},
		{"virtio:d00000001v*", "virtio:d00000002v00001AF4", false},
	}
	for _, tt := range tests {
		if got := fnmatch(tt.p, tt.s); got != tt.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
		if got := refMatch(tt.p, tt.s); got != tt.want {
			t.Errorf("refMatch(%q, %q) = %v, want %v (reference disagrees with the table)", tt.p, tt.s, got, tt.want)
		}
	}
}

// refMatch is a deliberately naive recursive matcher with the same semantics, used as the
// oracle for FuzzFnmatch.
func refMatch(p, s string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if refMatch(p[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && refMatch(p[1:], s[1:])
	case '\\':
		return len(p) > 1 && s != "" && p[1] == s[0] && refMatch(p[2:], s[1:])
	case '[':
		if s == "" {
			return false
		}
		m, w, kind := matchBracket(p, s[0])
		switch kind {
		case bracketBad:
			return false
		case bracketUnterminated:
			return s[0] == '[' && refMatch(p[1:], s[1:])
		}
		return m && refMatch(p[w:], s[1:])
	}
	return s != "" && p[0] == s[0] && refMatch(p[1:], s[1:])
}

func FuzzFnmatch(f *testing.F) {
	f.Add("pci:v00008086d0000100Esv*sd*bc*sc*i*", "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00")
	f.Add("usb:v13FDp3940d0[0-2]*dc*", "usb:v13FDp3940d0150dc00")
	f.Add("*a*b*c", "xaxbxcxc")
	f.Add("[!]a-c[:digit:]]?*", "]x")
	f.Add(`\[*\`, `[ab\`)
	f.Fuzz(func(t *testing.T, p, s string) {
		if len(p) > 64 || len(s) > 64 {
			return // keep the exponential oracle fast
		}
		if got, want := fnmatch(p, s), refMatch(p, s); got != want {
			t.Fatalf("fnmatch(%q, %q) = %v, reference says %v", p, s, got, want)
		}
	})
}
