package main

import (
	"errors"
	"fmt"
	"strings"
)

// rootMount is what the canary reports about the mount at "/".
type rootMount struct {
	FSType   string
	Source   string
	ReadOnly bool
}

// parseRootMount finds the mount of "/" in /proc/self/mountinfo text. When several mounts sit on
// "/", the last one listed is the one in effect.
func parseRootMount(text string) (rootMount, error) {
	var (
		root  rootMount
		found bool
	)
	for n, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 10 {
			return rootMount{}, fmt.Errorf("parse mountinfo line %d %q: want at least 10 fields, got %d", n+1, line, len(f))
		}
		sep := -1
		for i := 6; i < len(f); i++ {
			if f[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+3 >= len(f) {
			return rootMount{}, fmt.Errorf("parse mountinfo line %d %q: want \"- <fstype> <source> <options>\" after the optional fields", n+1, line)
		}
		if unescapeOctal(f[4]) != "/" {
			continue
		}
		found = true
		root = rootMount{
			FSType:   unescapeOctal(f[sep+1]),
			Source:   unescapeOctal(f[sep+2]),
			ReadOnly: hasOption(f[5], "ro") || hasOption(f[sep+3], "ro"),
		}
	}
	if !found {
		return rootMount{}, errors.New("parse mountinfo: no mount at \"/\"")
	}
	return root, nil
}

func hasOption(opts, want string) bool {
	for _, o := range strings.Split(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

// unescapeOctal undoes the kernel's \ooo escaping of spaces, tabs, newlines and backslashes.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			v := int(s[i+1]-'0')<<6 | int(s[i+2]-'0')<<3 | int(s[i+3]-'0')
			b.WriteByte(byte(v))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
