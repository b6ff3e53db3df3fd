package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitCmdline(t *testing.T) {
	tests := []struct {
		in       string
		params   []param
		initArgs []string
	}{
		{in: "", params: nil},
		{in: "   \n", params: nil},
		{in: "ro quiet", params: []param{{Key: "ro"}, {Key: "quiet"}}},
		{in: "root=/dev/vda console=ttyS0\n", params: []param{
			{Key: "root", Val: "/dev/vda", HasVal: true}, {Key: "console", Val: "ttyS0", HasVal: true}}},
		{in: `canary.run="/bin/sh /check.sh" x=1`, params: []param{
			{Key: "canary.run", Val: "/bin/sh /check.sh", HasVal: true}, {Key: "x", Val: "1", HasVal: true}}},
		{in: `"a=b c"`, params: []param{{Key: "a", Val: "b c", HasVal: true}}},
		{in: `"quoted word"`, params: []param{{Key: "quoted word"}}},
		{in: `a=b"c d"`, params: []param{{Key: "a", Val: `b"c d"`, HasVal: true}}},
		{in: `a=`, params: []param{{Key: "a", HasVal: true}}},
		{in: `a="`, params: []param{{Key: "a", HasVal: true}}},
		{in: `=x`, params: []param{{Key: "=x"}}},
		{in: `a=b=c`, params: []param{{Key: "a", Val: "b=c", HasVal: true}}},
		{in: "init=/sbin/init rw -- alpha  beta\n", params: []param{
			{Key: "init", Val: "/sbin/init", HasVal: true}, {Key: "rw"}}, initArgs: []string{"alpha", "beta"}},
		{in: "x --", params: []param{{Key: "x"}}, initArgs: []string{}},
		{in: "--=1 y", params: []param{{Key: "--", Val: "1", HasVal: true}, {Key: "y"}}},
	}
	for _, tt := range tests {
		params, initArgs := splitCmdline(tt.in)
		if !reflect.DeepEqual(params, tt.params) {
			t.Errorf("splitCmdline(%q) params = %#v, want %#v", tt.in, params, tt.params)
		}
		if len(initArgs) != len(tt.initArgs) || (len(initArgs) > 0 && !reflect.DeepEqual(initArgs, tt.initArgs)) {
			t.Errorf("splitCmdline(%q) initArgs = %#v, want %#v", tt.in, initArgs, tt.initArgs)
		}
	}
}

func FuzzSplitCmdline(f *testing.F) {
	for _, s := range []string{"", `a="b c" d -- e`, `"`, `""=""`, "a=\"\tb", `canary.sha256=/x:00`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		params, _ := splitCmdline(s)
		for _, p := range params {
			if !p.HasVal && p.Val != "" {
				t.Fatalf("splitCmdline(%q): param %q has a value without '='", s, p.Key)
			}
			if len(p.Key)+len(p.Val) > len(s) {
				t.Fatalf("splitCmdline(%q): param %+v longer than the input", s, p)
			}
			if !strings.Contains(s, p.Key) {
				t.Fatalf("splitCmdline(%q): key %q not in the input", s, p.Key)
			}
		}
	})
}
