package secrets

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	in := "# comment\r\nusername = alice\npassword=\"  spaced secret \"\nrd.iscsi.in.username=san\nin.password=tgt-secret-1\n\n" +
		"[target iqn.2025-01.x:disk1]\nusername=bob\npassword=bob-secret-12\n[ target iqn.2025-01.x:disk2 ]\nin.username=s2\nin.password=s2-secret\n"
	f, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &File{
		Default: ISCSI{"alice", "  spaced secret ", "san", "tgt-secret-1"},
		Targets: map[string]ISCSI{
			"iqn.2025-01.x:disk1": {Username: "bob", Password: "bob-secret-12"},
			"iqn.2025-01.x:disk2": {InUsername: "s2", InPassword: "s2-secret"},
		},
	}
	if !reflect.DeepEqual(f, want) {
		t.Fatalf("Parse\n got %+v\nwant %+v", f, want)
	}
	for name, w := range map[string]ISCSI{
		"iqn.2025-01.x:disk1": {"bob", "bob-secret-12", "san", "tgt-secret-1"},
		"iqn.2025-01.x:disk2": {"alice", "  spaced secret ", "s2", "s2-secret"},
		"":                    {"alice", "  spaced secret ", "san", "tgt-secret-1"},
		"iqn.other:x":         {"alice", "  spaced secret ", "san", "tgt-secret-1"},
	} {
		if got := f.ForTarget(name); got != w {
			t.Errorf("ForTarget(%q) = %+v, want %+v", name, got, w)
		}
	}
	if got := (*File)(nil).ForTarget("x"); got != (ISCSI{}) {
		t.Errorf("nil File: %+v", got)
	}
}

func TestParseErrors(t *testing.T) {
	const secret = "Top-Secret-Value"
	tests := []struct{ in, want string }{
		{"justtext " + secret, "parse secrets: line 1: expected key=value or [target <iqn>]"},
		{"user=" + secret, `parse secrets: line 1: unknown key "user": expected username, password, in.username or in.password`},
		{"username=\n", "parse secrets: line 1: username has an empty value"},
		{"password=" + secret + "\npassword=" + secret, "parse secrets: line 2: password is set twice in the same section"},
		{"[target iqn.x:y", "parse secrets: line 1: a section without ']': expected [target <iqn>]"},
		{"[host x]", `parse secrets: line 1: section "host x": expected [target <iqn>]`},
		{"[target a b]", `parse secrets: line 1: section "target a b": expected [target <iqn>]`},
		{"[target a]\n[target a]", `parse secrets: line 2: target "a" has a second section`},
		{"password=" + secret, "parse secrets: the default section: username and password go together"},
		{"[target a]\nin.username=x", "parse secrets: [target a]: in.username and in.password go together"},
		{strings.Repeat("#", maxSize+1), "parse secrets: 65537 bytes, more than the 65536 a secrets file may have"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%.30q)\n got %v\nwant %s", tt.in, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("the error shows the secret: %v", err)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if f, err := Load(filepath.Join(dir, "none")); f != nil || err != nil {
		t.Errorf("missing file: %v, %v; want nil, nil", f, err)
	}
	p := filepath.Join(dir, "iscsi")
	os.WriteFile(p, []byte("username=a\npassword=b\n"), 0o600) //nolint:errcheck
	if f, err := Load(p); err != nil || f.Default.Username != "a" {
		t.Errorf("Load = %+v, %v", f, err)
	}
	os.WriteFile(p, []byte("bad"), 0o600) //nolint:errcheck
	if _, err := Load(p); err == nil || err.Error() != p+": parse secrets: line 1: expected key=value or [target <iqn>]" {
		t.Errorf("Load bad: %v", err)
	}
}

// FuzzParse: the parser never panics and no error shows a value.
func FuzzParse(f *testing.F) {
	f.Add("username=a\npassword=b\n[target iqn.x:y]\nin.username=c\nin.password=d\n")
	f.Add("[target ]\n=\n#\n")
	f.Fuzz(func(t *testing.T, in string) {
		const secret = "Fuzz-Secret-Value-77"
		_, err := Parse([]byte(in + "\npassword=" + secret + "\n"))
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Fatalf("the error shows the secret: %v", err)
		}
	})
}
