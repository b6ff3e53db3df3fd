// Package secrets reads the credentials file that mkinitramfs --iscsi-secrets embeds in the
// image (at ISCSIPath, mode 0600, owned by root), so that no secret needs to be on the kernel
// command line or in DHCP.
//
// The format is line-based text:
//
//	# comment
//	username=alice                  # CHAP user of the initiator (also rd.iscsi.username=)
//	password=correct-horse-battery  # its secret                (also rd.iscsi.password=)
//	in.username=target              # mutual CHAP: the target's user   (rd.iscsi.in.username=)
//	in.password=staple-staple-77    # mutual CHAP: the target's secret (rd.iscsi.in.password=)
//	[target iqn.2025-01.com.example:disk1]
//	username=bob                    # for this target only
//	password=another-secret-1
//
// Keys may also be written with the rd.iscsi. prefix. Values run to the end of the line, with
// the spaces around them removed; a value in double quotes keeps its spaces. Keys before any
// [target …] line apply to every target; a target's own keys take precedence. Errors name the
// line and the key, never a value.
package secrets

import (
	"fmt"
	"os"
	"strings"
)

// ISCSIPath is where the image carries the iSCSI credentials.
const ISCSIPath = "/etc/goinit/secrets/iscsi"

// ISCSI are the CHAP credentials for one target (or the defaults).
type ISCSI struct {
	Username, Password     string
	InUsername, InPassword string
}

// File is a parsed secrets file.
type File struct {
	Default ISCSI
	Targets map[string]ISCSI
}

// maxSize bounds the file: it holds a few lines.
const maxSize = 64 << 10

// Parse reads a secrets file.
func Parse(data []byte) (*File, error) {
	if len(data) > maxSize {
		return nil, fmt.Errorf("parse secrets: %d bytes, more than the %d a secrets file may have", len(data), maxSize)
	}
	f := &File{Targets: map[string]ISCSI{}}
	cur := &f.Default
	var target string
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("parse secrets: line %d: a section without ']': expected [target <iqn>]", n)
			}
			inner := strings.TrimSpace(line[1 : len(line)-1])
			name, ok := strings.CutPrefix(inner, "target ")
			name = strings.TrimSpace(name)
			if !ok || name == "" || strings.ContainsAny(name, " \t") {
				return nil, fmt.Errorf("parse secrets: line %d: section %q: expected [target <iqn>]", n, inner)
			}
			if _, dup := f.Targets[name]; dup {
				return nil, fmt.Errorf("parse secrets: line %d: target %q has a second section", n, name)
			}
			f.Targets[name] = ISCSI{}
			target = name
			c := ISCSI{}
			cur = &c
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("parse secrets: line %d: expected key=value or [target <iqn>]", n)
		}
		k = strings.TrimPrefix(strings.TrimSpace(k), "rd.iscsi.")
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		var dst *string
		switch k {
		case "username":
			dst = &cur.Username
		case "password":
			dst = &cur.Password
		case "in.username":
			dst = &cur.InUsername
		case "in.password":
			dst = &cur.InPassword
		default:
			return nil, fmt.Errorf("parse secrets: line %d: unknown key %q: expected username, password, in.username or in.password", n, printable(k))
		}
		if v == "" {
			return nil, fmt.Errorf("parse secrets: line %d: %s has an empty value", n, k)
		}
		if *dst != "" {
			return nil, fmt.Errorf("parse secrets: line %d: %s is set twice in the same section", n, k)
		}
		*dst = v
		if target != "" {
			f.Targets[target] = *cur
		}
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	return f, nil
}

// check refuses sections that cannot work: a user without a password and the reverse.
func (f *File) check() error {
	sec := func(name string, c ISCSI) error {
		switch {
		case (c.Username == "") != (c.Password == ""):
			return fmt.Errorf("parse secrets: %s: username and password go together", name)
		case (c.InUsername == "") != (c.InPassword == ""):
			return fmt.Errorf("parse secrets: %s: in.username and in.password go together", name)
		}
		return nil
	}
	if err := sec("the default section", f.Default); err != nil {
		return err
	}
	for name, c := range f.Targets {
		if err := sec(fmt.Sprintf("[target %s]", name), c); err != nil {
			return err
		}
	}
	return nil
}

// ForTarget returns the credentials for the target named name ("" for a discovery session):
// the target's own section, with the defaults for the keys it does not set.
func (f *File) ForTarget(name string) ISCSI {
	if f == nil {
		return ISCSI{}
	}
	c := f.Default
	if t, ok := f.Targets[name]; ok && name != "" {
		if t.Username != "" {
			c.Username, c.Password = t.Username, t.Password
		}
		if t.InUsername != "" {
			c.InUsername, c.InPassword = t.InUsername, t.InPassword
		}
	}
	return c
}

// Load reads and parses the file at path. A missing file is (nil, nil): the image has no
// secrets.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read secrets: %w", err)
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// printable quotes-safely cuts a key for a message.
func printable(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
