package idmap

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// AskedLine is the helper's record of one request: the keyring the kernel links the key into
// (the NFS client's .id_resolver keyring) and the key's description.
func AskedLine(keyring int, desc string) string {
	return fmt.Sprintf("%d %s\n", keyring, desc)
}

// Asked is what the helper recorded: the .id_resolver keyring and the names requested.
type Asked struct {
	Keyring int
	Names   []string // descriptions, deduplicated and sorted, e.g. "gid:root@localdomain"
}

// ParseAsked reads the helper's records; malformed lines are skipped (a helper killed mid-write
// leaves at most one).
func ParseAsked(data string) Asked {
	var a Asked
	seen := map[string]bool{}
	for _, line := range strings.Split(data, "\n") {
		ring, desc, ok := strings.Cut(line, " ")
		id, err := strconv.Atoi(ring)
		if !ok || err != nil || desc == "" {
			continue
		}
		if id > 0 {
			a.Keyring = id
		}
		if !seen[desc] {
			seen[desc] = true
			a.Names = append(a.Names, desc)
		}
	}
	sort.Strings(a.Names)
	return a
}
