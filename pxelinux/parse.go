package pxelinux

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// kernelKinds are the directives that name the file a label boots.
var kernelKinds = map[string]bool{
	"kernel": true, "linux": true, "boot": true, "bss": true, "pxe": true, "fdimage": true,
	"comboot": true, "com32": true, "config": true, "localboot": true,
}

// ParseError is a line of a config that cannot be read.
type ParseError struct {
	Line     int    // 1-based
	Keyword  string // as written
	Value    string
	Expected string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("pxelinux config line %d: %s %q: expected %s", e.Line, e.Keyword, e.Value, e.Expected)
}

// Parse reads a PXELINUX configuration. Keywords are case-insensitive; blank lines and lines
// starting with '#' are comments. LABEL starts a block; KERNEL (LINUX, COM32, … LOCALBOOT),
// INITRD, APPEND and IPAPPEND (SYSAPPEND) belong to it; DEFAULT, TIMEOUT, PROMPT and SERIAL
// are global wherever they stand. initrd= in an APPEND line moves into Label.Initrd. Lines
// not modelled are kept in Extra, as are the lines of a TEXT HELP … ENDTEXT block. A value
// that cannot be read gives a *ParseError.
func Parse(data []byte) (*Config, error) {
	c := &Config{}
	var lab *Label
	var directive string // the label's INITRD directive; initrd= in APPEND wins over it
	var appendInitrd bool
	finish := func() {
		if lab != nil && !appendInitrd {
			lab.Initrd = directive
		}
		directive, appendInitrd = "", false
	}
	extra := func(line string) {
		if lab != nil {
			lab.Extra = append(lab.Extra, line)
		} else {
			c.Extra = append(c.Extra, line)
		}
	}
	inText := false
	for i, raw := range strings.Split(string(data), "\n") {
		n := i + 1
		line := strings.TrimSpace(raw)
		kw, val := splitKeyword(line)
		if inText {
			if line == "" {
				continue
			}
			extra(line)
			inText = kw != "endtext"
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		switch {
		case kw == "label":
			if val == "" {
				return nil, &ParseError{n, keywordOf(line), val, "a label name, e.g. LABEL goinit"}
			}
			finish()
			c.Labels = append(c.Labels, Label{Name: val})
			lab = &c.Labels[len(c.Labels)-1]
		case kw == "default":
			c.Default = val
		case kw == "timeout":
			v, ok := number(val)
			if !ok {
				return nil, &ParseError{n, keywordOf(line), val, "a timeout in tenths of a second, e.g. TIMEOUT 50"}
			}
			c.Timeout = v
		case kw == "prompt":
			v, ok := number(val)
			if !ok {
				return nil, &ParseError{n, keywordOf(line), val, "0 or 1, e.g. PROMPT 0"}
			}
			c.Prompt = v != 0
		case kw == "serial":
			s, ok := parseSerial(val)
			if !ok {
				return nil, &ParseError{n, keywordOf(line), val, "<port> [<baud> [<flow-control>]], e.g. SERIAL 0 115200"}
			}
			c.Serial = s
		case kw == "ipappend" || kw == "sysappend":
			v, ok := number(val)
			if !ok {
				return nil, &ParseError{n, keywordOf(line), val, "a number of flags (1: ip=, 2: BOOTIF=), e.g. IPAPPEND 2"}
			}
			if lab != nil {
				lab.IPAppend = v
			} else {
				c.IPAppend = v
			}
		case kw == "append":
			if val == "" {
				val = "-"
			}
			if lab == nil {
				c.Append = val
				break
			}
			rest, initrd, found := cutInitrd(val)
			if found {
				lab.Initrd, appendInitrd = initrd, true
			} else if appendInitrd { // a later APPEND replaces the earlier one, its initrd= too
				appendInitrd = false
			}
			if rest == "" && val != "-" {
				rest = "-"
			}
			lab.Append = rest
		case kw == "initrd" && lab != nil:
			directive = val
		case kernelKinds[kw] && lab != nil:
			lab.Kind, lab.Kernel = kw, val
			if kw == "kernel" {
				lab.Kind = ""
			}
		default:
			extra(line)
			inText = kw == "text"
		}
	}
	if inText { // an unterminated TEXT block ends with the file
		extra("ENDTEXT")
	}
	finish()
	return c, nil
}

// splitKeyword splits a trimmed line into its lower-case keyword and the trimmed rest.
func splitKeyword(line string) (kw, val string) {
	i := strings.IndexFunc(line, unicode.IsSpace)
	if i < 0 {
		return strings.ToLower(line), ""
	}
	return strings.ToLower(line[:i]), strings.TrimSpace(line[i:])
}

// keywordOf is the keyword of a trimmed line as written, for error messages.
func keywordOf(line string) string {
	if i := strings.IndexFunc(line, unicode.IsSpace); i >= 0 {
		return line[:i]
	}
	return line
}

// number reads a non-negative decimal number.
func number(s string) (int, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	return v, err == nil
}

// parseSerial reads SERIAL's "<port> [<baud> [<flow>]]"; the port may be a 0x… I/O address.
func parseSerial(val string) (*Serial, bool) {
	f := strings.Fields(val)
	if len(f) < 1 || len(f) > 3 {
		return nil, false
	}
	s := &Serial{}
	var ok bool
	if h, isHex := strings.CutPrefix(strings.ToLower(f[0]), "0x"); isHex {
		v, err := strconv.ParseUint(h, 16, 16)
		s.Port, ok = int(v), err == nil
	} else {
		s.Port, ok = number(f[0])
	}
	if !ok {
		return nil, false
	}
	if len(f) > 1 {
		if s.Baud, ok = number(f[1]); !ok {
			return nil, false
		}
	}
	if len(f) > 2 {
		s.Flow = f[2]
	}
	return s, true
}
