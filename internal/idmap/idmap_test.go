package idmap

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseDescribe(t *testing.T) {
	typ, desc, err := ParseDescribe("id_resolver;0;0;3f010000;uid:a;b@example.org")
	if err != nil || typ != "id_resolver" || desc != "uid:a;b@example.org" {
		t.Errorf("ParseDescribe = %q %q %v", typ, desc, err)
	}
	for _, bad := range []string{"", "id_resolver;0;0;3f010000", ";0;0;0;uid:x"} {
		if _, _, err := ParseDescribe(bad); err == nil {
			t.Errorf("ParseDescribe(%q) = nil error, want one", bad)
		}
	}
}

func TestParseRequest(t *testing.T) {
	r, err := ParseRequest("gid:wheel@corp.example")
	if err != nil || r.Kind != "gid" || r.Name != "wheel@corp.example" || r.Local() != "wheel" || r.String() != "gid:wheel@corp.example" {
		t.Errorf("ParseRequest = %+v %v (local %q)", r, err, r.Local())
	}
	if r, _ := ParseRequest("uid:a@b@c"); r.Local() != "a@b" {
		t.Errorf("Local of a@b@c = %q, want a@b (the domain follows the last @)", r.Local())
	}
	if r, _ := ParseRequest("uid:plain"); r.Local() != "plain" {
		t.Errorf("Local of plain = %q", r.Local())
	}
	for _, bad := range []string{"uid", "uid:", "owner:root@x", ""} {
		if _, err := ParseRequest(bad); err == nil {
			t.Errorf("ParseRequest(%q) = nil error, want one", bad)
		}
	}
}

const passwd = `# comment
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1::/:/usr/sbin/nologin
+nis
broken:x:notanumber:1::/:
daemon:x:99:99:second entry loses::
big:x:4294967295:1::/:
`

const group = `root:x:0:
adm:x:4:syslog
`

func TestTableLookup(t *testing.T) {
	tab := NewTable([]byte(passwd), []byte(group))
	cases := []struct {
		desc string
		id   uint32
		ok   bool
	}{
		{"uid:root@localdomain", 0, true},
		{"uid:daemon@any.domain", 1, true},
		{"uid:broken@x", 0, false},
		{"uid:+nis@x", 0, false},
		{"uid:big@x", 4294967295, true},
		{"uid:adm@x", 0, false}, // a group, not a user
		{"gid:adm@x", 4, true},
		{"gid:nobody@x", 0, false},
		{"user:0", 0, false}, // id to name: never answered
		{"group:0", 0, false},
	}
	for _, c := range cases {
		r, err := ParseRequest(c.desc)
		if err != nil {
			t.Fatal(err)
		}
		id, ok := tab.Lookup(r)
		if id != c.id || ok != c.ok {
			t.Errorf("Lookup(%s) = %d %v, want %d %v", c.desc, id, ok, c.id, c.ok)
		}
	}
}

func TestTableRootDefault(t *testing.T) {
	tab := NewTable(nil, []byte("root:x:7:\n"))
	if id, ok := tab.Lookup(Request{"uid", "root@d"}); !ok || id != 0 {
		t.Errorf("root without passwd = %d %v, want 0 true", id, ok)
	}
	if id, ok := tab.Lookup(Request{"gid", "root@d"}); !ok || id != 7 {
		t.Errorf("root group from the file = %d %v, want 7 true", id, ok)
	}
}

func TestTableRoundTrip(t *testing.T) {
	tab := NewTable([]byte(passwd), []byte(group))
	got, err := ParseTable(tab.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, tab) {
		t.Errorf("round trip = %+v, want %+v", got, tab)
	}
	for _, bad := range []string{"x root 0\n", "u root\n", "u root -1\n", "g root 99999999999\n"} {
		if _, err := ParseTable([]byte(bad)); err == nil {
			t.Errorf("ParseTable(%q) = nil error, want one", bad)
		}
	}
}

func TestParseAsked(t *testing.T) {
	data := AskedLine(812, "uid:root@localdomain") + AskedLine(812, "gid:root@localdomain") +
		"garbage\n" + AskedLine(812, "uid:root@localdomain") + "81"
	a := ParseAsked(data)
	want := Asked{Keyring: 812, Names: []string{"gid:root@localdomain", "uid:root@localdomain"}}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("ParseAsked = %+v, want %+v", a, want)
	}
	if a := ParseAsked(""); a.Keyring != 0 || len(a.Names) != 0 {
		t.Errorf("ParseAsked(\"\") = %+v, want nothing", a)
	}
}

func TestReport(t *testing.T) {
	if i, w := Report(nil, []string{"/"}); i != "" || w != "" {
		t.Errorf("Report without names = %q %q, want nothing (numeric owners)", i, w)
	}
	i, w := Report([]string{"gid:root@localdomain", "uid:root@localdomain"}, nil)
	if !strings.Contains(i, "gid:root@localdomain, uid:root@localdomain") || w != "" {
		t.Errorf("Report = %q %q", i, w)
	}
	i, w = Report([]string{"a", "b", "c", "d", "e", "f"}, []string{"/", "/sbin"})
	if !strings.Contains(i, "(a, b, c, d, and 2 more)") {
		t.Errorf("Report info = %q, want the first four names and a count", i)
	}
	for _, want := range []string{"/, /sbin", "Only_Numeric_Owners = true", "vers=3", "/sbin/request-key"} {
		if !strings.Contains(w, want) {
			t.Errorf("Report warning = %q, want it to name %q", w, want)
		}
	}
}
