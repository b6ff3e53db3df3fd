package archive

import "testing"

func TestCleanName(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "/init", want: "init"},
		{in: "init", want: "init"},
		{in: "//lib//modules/./6.1/", want: "lib/modules/6.1"},
		{in: "./bin/sh", want: "bin/sh"},
		{in: "", err: "empty path"},
		{in: "/", err: `path "/" is the archive root`},
		{in: ".", err: `path "." is the archive root`},
		{in: "a/../b", err: `path "a/../b" has a ".." component`},
		{in: "..", err: `path ".." has a ".." component`},
		{in: "a\x00b", err: `path "a\x00b" contains a NUL byte`},
	}
	for _, tt := range tests {
		got, err := CleanName(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("CleanName(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CleanName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseEpoch(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{in: "", want: 0},
		{in: "0", want: 0},
		{in: "1700000000", want: 1700000000},
		{in: "4294967295", want: 4294967295},
		{in: "4294967296", err: `parse SOURCE_DATE_EPOCH="4294967296": want seconds since 1970 as a decimal integer from 0 to 4294967295`},
		{in: "-1", err: `parse SOURCE_DATE_EPOCH="-1": want seconds since 1970 as a decimal integer from 0 to 4294967295`},
		{in: "yesterday", err: `parse SOURCE_DATE_EPOCH="yesterday": want seconds since 1970 as a decimal integer from 0 to 4294967295`},
	}
	for _, tt := range tests {
		got, err := ParseEpoch(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseEpoch(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseEpoch(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseCompression(t *testing.T) {
	tests := []struct {
		in   string
		want Compression
		err  string
	}{
		{in: "", want: Zstd},
		{in: "zstd", want: Zstd},
		{in: "gzip", want: Gzip},
		{in: "xz", want: XZ},
		{in: "lz4", want: LZ4},
		{in: "none", want: None},
		{in: "gz", err: `parse compression "gz": want one of zstd, gzip, xz, lz4, none`},
		{in: "ZSTD", err: `parse compression "ZSTD": want one of zstd, gzip, xz, lz4, none`},
	}
	for _, tt := range tests {
		got, err := ParseCompression(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseCompression(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseCompression(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestModeString(t *testing.T) {
	tests := []struct {
		mode uint32
		want string
	}{
		{TypeDir | 0o755, "drwxr-xr-x"},
		{TypeRegular | 0o644, "-rw-r--r--"},
		{TypeRegular | 0o4755, "-rwsr-xr-x"},
		{TypeRegular | 0o2644, "-rw-r-Sr--"},
		{TypeDir | 0o1777, "drwxrwxrwt"},
		{TypeDir | 0o1770, "drwxrwx--T"},
		{TypeSymlink | 0o777, "lrwxrwxrwx"},
		{TypeChar | 0o600, "crw-------"},
		{TypeBlock | 0o660, "brw-rw----"},
		{TypeFIFO | 0o644, "prw-r--r--"},
		{TypeSocket | 0o755, "srwxr-xr-x"},
		{0o644, "?rw-r--r--"},
	}
	for _, tt := range tests {
		if got := ModeString(tt.mode); got != tt.want {
			t.Errorf("ModeString(%#o) = %q, want %q", tt.mode, got, tt.want)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		head string
		want Compression
		err  string
	}{
		{head: "070701000000", want: None},
		{head: "070702000000", want: None},
		{head: "\x28\xb5\x2f\xfd\x00", want: Zstd},
		{head: "\x1f\x8b\x08", want: Gzip},
		{head: "\xfd7zXZ\x00\x00", want: XZ},
		{head: "\x02\x21\x4c\x18", want: LZ4},
		{head: "\x04\x22\x4d\x18", err: "detect compression: lz4 frame format (the kernel needs the legacy format) is not supported"},
		{head: "BZh91AY", err: "detect compression: bzip2 is not supported"},
		{head: "070707", err: "detect compression: old portable cpio (070707) is not supported"},
		{head: "hello world", err: "detect compression: unknown magic 68 65 6c 6c 6f 20 77 6f: want newc cpio (070701), zstd, gzip, xz or legacy lz4"},
		{head: "", err: "detect compression: unknown magic : want newc cpio (070701), zstd, gzip, xz or legacy lz4"},
	}
	for _, tt := range tests {
		got, err := Detect([]byte(tt.head))
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("Detect(%q) error = %v, want %q", tt.head, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Detect(%q) = %q, %v; want %q", tt.head, got, err, tt.want)
		}
	}
}
