package main

import "testing"

func TestParseRootMount(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want rootMount
		err  string
	}{
		{
			name: "rootfs",
			in:   "1 1 0:2 / / rw - rootfs rootfs rw,size=240k\n",
			want: rootMount{FSType: "rootfs", Source: "rootfs"},
		},
		{
			name: "ext4 ro after switch_root, last mount on / wins",
			in: "1 1 0:2 / / rw - rootfs rootfs rw\n" +
				"22 1 254:0 / / ro,relatime shared:1 master:2 - ext4 /dev/vda ro\n" +
				"23 22 0:5 / /dev rw,nosuid - devtmpfs devtmpfs rw\n",
			want: rootMount{FSType: "ext4", Source: "/dev/vda", ReadOnly: true},
		},
		{
			name: "read-only superblock",
			in:   "22 1 254:0 / / rw - squashfs /dev/nbd0 ro\n",
			want: rootMount{FSType: "squashfs", Source: "/dev/nbd0", ReadOnly: true},
		},
		{
			name: "escaped source",
			in:   `22 1 0:40 / / rw - nfs4 10.99.0.1:/ex\040port rw,vers=4.2` + "\n",
			want: rootMount{FSType: "nfs4", Source: "10.99.0.1:/ex port"},
		},
		{
			name: "no root",
			in:   "23 22 0:5 / /dev rw - devtmpfs devtmpfs rw\n",
			err:  `parse mountinfo: no mount at "/"`,
		},
		{
			name: "short line",
			in:   "1 1 0:2 / /\n",
			err:  `parse mountinfo line 1 "1 1 0:2 / /": want at least 10 fields, got 5`,
		},
		{
			name: "no separator",
			in:   "1 1 0:2 / / rw a b c d e\n",
			err:  `parse mountinfo line 1 "1 1 0:2 / / rw a b c d e": want "- <fstype> <source> <options>" after the optional fields`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRootMount(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("parseRootMount error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseRootMount: %v", err)
			}
			if got != tt.want {
				t.Fatalf("parseRootMount = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestUnescapeOctal(t *testing.T) {
	for in, want := range map[string]string{
		`a\040b`: "a b", `\134`: `\`, `tail\04`: `tail\04`, `\999`: `\999`, `plain`: "plain", `\011x`: "\tx",
	} {
		if got := unescapeOctal(in); got != want {
			t.Errorf("unescapeOctal(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseRootMount(f *testing.F) {
	f.Add("22 1 254:0 / / ro,relatime shared:1 - ext4 /dev/vda ro\n")
	f.Add("1 1 0:2 / / rw - rootfs rootfs rw\n")
	f.Add(`1 1 0:2 / \057 rw - a\ b c d`)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseRootMount(s)
		if err == nil && r.FSType == "" {
			t.Fatalf("parseRootMount(%q) = %+v with an empty fstype and no error", s, r)
		}
	})
}
