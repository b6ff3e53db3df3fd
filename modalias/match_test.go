package modalias

import (
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMatchFixture(t *testing.T) {
	ix, err := Load(writeTree(t, fixtureFiles))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		alias string
		want  []string
	}{
		{"crypto-crc32c", []string{"crc32c_intel", "crc32c_generic"}},
		{"crypto_crc32c", []string{"crc32c_intel", "crc32c_generic"}}, // '-' and '_' are the same
		{"crc32c", []string{"crc32c_intel", "crc32c_generic"}},
		{"crc32c-x", nil},
		{"pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00", []string{"virtio_pci"}},
		{"pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01", []string{"ahci"}},
		{"virtio:d00000001v00001AF4", []string{"virtio_net"}},
		{"scsi:t-0x00", []string{"sd_mod"}},
		{"scsi:t-0x05", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := ix.Match(tt.alias); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Match(%q) = %q, want %q", tt.alias, got, tt.want)
		}
	}
}

func TestLookup(t *testing.T) {
	ix, err := Load(writeTree(t, fixtureFiles))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want []string
	}{
		{"ext4", []string{"ext4"}},
		{"crc32c-intel", []string{"crc32c_intel"}},
		{"nfs-acl", []string{"nfs_acl"}}, // built in
		{"crypto-crc32c", []string{"crc32c_intel", "crc32c_generic"}},
		{"nope", nil},
	}
	for _, tt := range tests {
		if got := ix.Lookup(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Lookup(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeAlias(t *testing.T) {
	tests := []struct{ in, want string }{
		{"crypto-crc32c", "crypto_crc32c"},
		{"usb:v0D96p5200d000[1-9]dc*", "usb:v0D96p5200d000[1-9]dc*"},
		{"a-b[x-y]c-d", "a_b[x-y]c_d"},
		{"a-[b-c", "a_[b-c"},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		if got := normalizeAlias(tt.in); got != tt.want {
			t.Errorf("normalizeAlias(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMatchReal(t *testing.T) {
	ix := realIndex(t)
	tests := []struct {
		alias string
		want  []string
	}{
		{"pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00", []string{"e1000"}},
		{"virtio:d00000001v00001AF4", []string{"virtio_net"}},
		{"virtio:d00000002v00001AF4", []string{"virtio_blk"}},
		{"crypto-crc32c", []string{"crc32c_intel", "crc32c_generic"}},
		{"pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00", []string{"virtio_pci"}},
		{"pci:v00008086d00001229sv00008086sd00000001bc02sc00i00", []string{"e100"}},
		// usb-storage style bracket classes: d0150 is in [0-2]*, d0350 is not.
		{"usb:v13FDp3940d0150dc00dsc00dp00ic08isc06ip50in00", []string{"uas", "usb_storage"}},
		{"fs-nfs4", []string{"nfs"}},
		{"nfsv3", []string{"nfsv3"}},
		{"pci:v0000FFFFd0000FFFFsv0000FFFFsd0000FFFFbcFFscFFiFF", nil},
	}
	for _, tt := range tests {
		got := ix.Lookup(tt.alias)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Lookup(%q) = %q, want %q", tt.alias, got, tt.want)
		}
	}
}

// sampleAliases makes modalias-like strings from every step-th real pattern by filling in
// wildcards.
func sampleAliases(ix *Index, step int) []string {
	var out []string
	for i := 0; i < len(ix.aliases); i += step {
		out = append(out, fillPattern(ix.aliases[i].pattern, func(class string) byte { return class[0] }))
	}
	return out
}

// fillPattern turns a pattern into a string: '*' becomes "00", '?' "1", and a bracket
// expression the byte pick chooses from its inside.
func fillPattern(p string, pick func(class string) byte) string {
	var b strings.Builder
	for j := 0; j < len(p); j++ {
		switch c := p[j]; c {
		case '*':
			b.WriteString("00")
		case '?':
			b.WriteByte('1')
		case '[':
			end := strings.IndexByte(p[j+1:], ']')
			if end <= 0 {
				b.WriteByte(c)
				continue
			}
			b.WriteByte(pick(p[j+1 : j+1+end]))
			j += 1 + end
		case '\\':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// TestMatchAgainstKmod compares Match with kmod's own resolution (modprobe -R, which uses
// glibc's fnmatch) for strings made from a sample of the real alias patterns.
func TestMatchAgainstKmod(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	ix := realIndex(t)
	modprobe, err := exec.LookPath("modprobe")
	if err != nil {
		t.Skip("no modprobe")
	}
	queries := append(sampleAliases(ix, 97), "crypto-crc32c", "crypto_crc32c", "fs-nfs4", "platform:leds-gpio")
	// Every pattern with a bracket expression, filled with a byte inside the class and with
	// bytes just past either end of it.
	for _, a := range ix.aliases {
		if !strings.Contains(a.pattern, "[") {
			continue
		}
		queries = append(queries,
			fillPattern(a.pattern, func(c string) byte { return c[len(c)-1] }),
			fillPattern(a.pattern, func(c string) byte { return c[len(c)-1] + 1 }),
			fillPattern(a.pattern, func(c string) byte { return c[0] - 1 }))
	}
	for _, q := range queries {
		out, _ := exec.Command(modprobe, "-S", "6.1.0-56-amd64", "-R", q).Output()
		var kmod []string // modprobe -R repeats a module once per matching alias
		for _, m := range strings.Fields(string(out)) {
			if !slices.Contains(kmod, m) {
				kmod = append(kmod, m)
			}
		}
		got := ix.Match(q)
		if len(got) == 0 && len(kmod) == 0 {
			continue
		}
		// kmod orders by its binary index; compare as sets.
		if !sameSet(got, kmod) {
			t.Errorf("Match(%q) = %q, kmod says %q", q, got, kmod)
		}
	}
	t.Logf("compared %d aliases with kmod", len(queries))
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

// TestMatchSpeed checks the prefix index keeps boot-time matching cheap: every real
// modules.alias pattern against dozens of devices.
func TestMatchSpeed(t *testing.T) {
	ix := realIndex(t)
	devices := sampleAliases(ix, len(ix.aliases)/60)
	start := time.Now()
	const reps = 10
	for r := 0; r < reps; r++ {
		for _, d := range devices {
			ix.Match(d)
		}
	}
	per := time.Since(start) / time.Duration(reps)
	t.Logf("%d aliases x %d devices: %v per pass", len(ix.aliases), len(devices), per)
	if per > 200*time.Millisecond {
		t.Errorf("matching %d devices took %v per pass; want well under 200ms", len(devices), per)
	}
}

func BenchmarkMatchReal(b *testing.B) {
	ix := realIndex(b)
	q := "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00"
	for b.Loop() {
		ix.Match(q)
	}
}

func BenchmarkLoadReal(b *testing.B) {
	realIndex(b)
	for b.Loop() {
		if _, err := Load(realDir); err != nil {
			b.Fatal(err)
		}
	}
}
