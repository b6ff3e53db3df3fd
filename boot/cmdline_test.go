package boot

import (
	"reflect"
	"strings"
	"testing"
)

func kv(k, v string) Param { return Param{Key: k, Value: v, HasValue: true} }
func key(k string) Param   { return Param{Key: k} }

func TestSplitCmdline(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		params   []Param
		initArgs []string
	}{
		{"empty", "", nil, nil},
		{"only whitespace", " \t\n", nil, nil},
		{"flag", "quiet", []Param{key("quiet")}, nil},
		{"plain", "root=/dev/vda1 ro console=ttyS0,115200n8",
			[]Param{kv("root", "/dev/vda1"), key("ro"), kv("console", "ttyS0,115200n8")}, nil},
		{"proc cmdline newline", "a=1 b\n", []Param{kv("a", "1"), key("b")}, nil},
		{"newline inside unterminated quote is dropped", "a=\"x y\n", []Param{kv("a", "x y")}, nil},
		{"tabs newlines and extra spaces", "  a\tb\n\nc=d \r\v\fe  ",
			[]Param{key("a"), key("b"), kv("c", "d"), key("e")}, nil},
		{"quoted value", `foo="a b" bar`, []Param{kv("foo", "a b"), key("bar")}, nil},
		{"quoted whole parameter", `"foo=a b" bar`, []Param{kv("foo", "a b"), key("bar")}, nil},
		{"quoted whole=param with space in key", `"quoted whole=param" next`,
			[]Param{kv("quoted whole", "param"), key("next")}, nil},
		{"quoted flag", `"a b" c`, []Param{key("a b"), key("c")}, nil},
		{"quote in the middle keeps the tail", `a="b c"d e`, []Param{kv("a", `b c"d`), key("e")}, nil},
		{"quote opened in the middle", `a=b"c d"e f`, []Param{kv("a", `b"c d"e`), key("f")}, nil},
		{"quotes inside the key", `fo"o b"ar=1 x`, []Param{kv(`fo"o b"ar`, "1"), key("x")}, nil},
		{"three quotes swallow the rest", `foo="a"b" next`, []Param{kv("foo", `a"b" next`)}, nil},
		{"unterminated quoted value", `foo="a b c`, []Param{kv("foo", "a b c")}, nil},
		{"unterminated quoted parameter", `x "foo bar`, []Param{key("x"), key("foo bar")}, nil},
		{"lone quote", `"`, []Param{key("")}, nil},
		{"empty quotes", `"" a`, []Param{key(""), key("a")}, nil},
		{"empty value", "foo= bar", []Param{kv("foo", ""), key("bar")}, nil},
		{"empty quoted value", `foo="" bar`, []Param{kv("foo", ""), key("bar")}, nil},
		{"value is one quote", `foo=" bar`, []Param{kv("foo", " bar")}, nil},
		{"value of a lone quote at the end", `foo="`, []Param{kv("foo", "")}, nil},
		{"equals in the value", "a=b=c", []Param{kv("a", "b=c")}, nil},
		{"leading equals is not the separator", "=x =a=b", []Param{key("=x"), kv("=a", "b")}, nil},
		{"only equals", "= ==", []Param{key("="), kv("=", "")}, nil},
		{"dashes end the parameters", "a -- b c=d",
			[]Param{key("a")}, []string{"b", "c=d"}},
		{"init args keep quoting rules", `a -- "x y" z="1 2" w`,
			[]Param{key("a")}, []string{"x y", "z=1 2", "w"}},
		{"dashes with a value are a parameter", "a --=1 b", []Param{key("a"), kv("--", "1"), key("b")}, nil},
		{"quoted dashes end the parameters", `a "--" b`, []Param{key("a")}, []string{"b"}},
		{"second dashes end the init args", "a -- b -- c", []Param{key("a")}, []string{"b"}},
		{"dashes alone", "--", nil, nil},
		{"dashes at the end", "a --\n", []Param{key("a")}, nil},
		{"dashes first", "-- -v", nil, []string{"-v"}},
		{"triple dash is a parameter", "--- a", []Param{key("---"), key("a")}, nil},
		{"NUL ends the line", "a=1\x00b=2", []Param{kv("a", "1")}, nil},
		{"non-breaking space in UTF-8 is not a separator", "LABEL=voil\u00e0 x",
			[]Param{kv("LABEL", "voil\u00e0"), key("x")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params, initArgs := SplitCmdline(tt.in)
			if !reflect.DeepEqual(params, tt.params) {
				t.Errorf("SplitCmdline(%q) params = %#v, want %#v", tt.in, params, tt.params)
			}
			if !reflect.DeepEqual(initArgs, tt.initArgs) {
				t.Errorf("SplitCmdline(%q) initArgs = %#v, want %#v", tt.in, initArgs, tt.initArgs)
			}
		})
	}
}

func TestParamString(t *testing.T) {
	for _, tt := range []struct {
		p    Param
		want string
	}{
		{key("ro"), "ro"},
		{kv("a", ""), "a="},
		{kv("foo", "a b"), "foo=a b"},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

// joinSimple rebuilds a command line from params that can be written without ambiguity
// (non-empty key without whitespace or quotes, value without quotes); ok is false otherwise.
func joinSimple(params []Param) (string, bool) {
	var parts []string
	for _, p := range params {
		if p.Key == "" || hasSpace(p.Key) || strings.Contains(p.Key, `"`) ||
			strings.Contains(p.Value, `"`) || p.Key == "--" && !p.HasValue {
			return "", false
		}
		if p.HasValue {
			parts = append(parts, p.Key+`="`+p.Value+`"`)
		} else {
			parts = append(parts, p.Key)
		}
	}
	return strings.Join(parts, " "), true
}

func FuzzSplitCmdline(f *testing.F) {
	for _, s := range []string{
		"", "root=/dev/vda1 ro", `foo="a b" "x=y z" a="b c"d`, "a -- b c=d",
		`"foo bar`, "=a=b", "a\tb\nc", `fo"o b"ar=1`, `a "--" b -- c`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		params, initArgs := SplitCmdline(s)
		for _, p := range params {
			if !p.HasValue && p.Key == "--" {
				t.Fatalf("SplitCmdline(%q): lone -- kept as a parameter", s)
			}
			if p.Value != "" && !p.HasValue {
				t.Fatalf("SplitCmdline(%q): value %q without HasValue", s, p.Value)
			}
			// Whitespace can only reach a key through quoting.
			if hasSpace(p.Key) && !strings.Contains(s, `"`) {
				t.Fatalf("SplitCmdline(%q): key %q holds unquoted whitespace", s, p.Key)
			}
			if strings.IndexByte(p.Key+p.Value, 0) >= 0 {
				t.Fatalf("SplitCmdline(%q): NUL byte in %#v", s, p)
			}
		}
		for _, a := range initArgs {
			if a == "--" {
				t.Fatalf("SplitCmdline(%q): init args hold a lone --: %q", s, initArgs)
			}
		}
		if !strings.Contains(s, `"`) {
			for _, p := range params {
				if hasSpace(p.Value) {
					t.Fatalf("SplitCmdline(%q): value %q holds unquoted whitespace", s, p.Value)
				}
			}
		}
		// Rejoining simple parameters with quoted values and splitting again is stable.
		if joined, ok := joinSimple(params); ok {
			again, rest := SplitCmdline(joined)
			if len(params) == 0 {
				params = nil
			}
			if !reflect.DeepEqual(again, params) || rest != nil {
				t.Fatalf("SplitCmdline(%q) = %#v; rejoined %q splits to %#v, %q",
					s, params, joined, again, rest)
			}
		}
	})
}
