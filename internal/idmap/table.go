package idmap

import (
	"bufio"
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Table maps local user and group names to ids.
type Table struct {
	Users  map[string]uint32
	Groups map[string]uint32
}

// NewTable builds the table from the contents of a root's /etc/passwd and /etc/group (either
// may be empty). "root" is 0 unless the files say otherwise: every Linux root has it, and it
// owns the directories the kernel's helper lookup walks.
func NewTable(passwd, group []byte) Table {
	t := Table{Users: parseDB(passwd), Groups: parseDB(group)}
	if _, ok := t.Users["root"]; !ok {
		t.Users["root"] = 0
	}
	if _, ok := t.Groups["root"]; !ok {
		t.Groups["root"] = 0
	}
	return t
}

// parseDB reads name:password:id:… lines (passwd and group share the first three fields),
// skipping comments, blank lines, NIS "+"/"-" entries and lines whose id is not a number.
// The first entry of a name wins, as getpwnam's does.
func parseDB(data []byte) map[string]uint32 {
	m := map[string]uint32{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		f := strings.SplitN(line, ":", 4)
		if len(f) < 3 || f[0] == "" {
			continue
		}
		id, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			continue
		}
		if _, seen := m[f[0]]; !seen {
			m[f[0]] = uint32(id)
		}
	}
	return m
}

// Lookup answers a name-to-id request ("uid" or "gid"); the NFSv4 domain is not checked (the
// root's server is trusted with everything else anyway). Id-to-name requests are not answered:
// the kernel then sends the number, which sec=sys servers take.
func (t Table) Lookup(r Request) (uint32, bool) {
	var m map[string]uint32
	switch r.Kind {
	case "uid":
		m = t.Users
	case "gid":
		m = t.Groups
	default:
		return 0, false
	}
	id, ok := m[r.Local()]
	return id, ok
}

// Marshal writes the table as "u <name> <id>" and "g <name> <id>" lines, sorted.
func (t Table) Marshal() []byte {
	var lines []string
	for n, id := range t.Users {
		lines = append(lines, fmt.Sprintf("u %s %d", n, id))
	}
	for n, id := range t.Groups {
		lines = append(lines, fmt.Sprintf("g %s %d", n, id))
	}
	sort.Strings(lines)
	return []byte(strings.Join(lines, "\n") + "\n")
}

// ParseTable reads what Marshal wrote.
func ParseTable(data []byte) (Table, error) {
	t := Table{Users: map[string]uint32{}, Groups: map[string]uint32{}}
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || (f[0] != "u" && f[0] != "g") {
			return Table{}, fmt.Errorf("parse id table line %d %q: want u|g <name> <id>", i+1, line)
		}
		id, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			return Table{}, fmt.Errorf("parse id table line %d %q: id: %w", i+1, line, err)
		}
		if f[0] == "u" {
			t.Users[f[1]] = uint32(id)
		} else {
			t.Groups[f[1]] = uint32(id)
		}
	}
	return t, nil
}
