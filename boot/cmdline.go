package boot

import "strings"

// Param is one parameter of the kernel command line as the kernel splits it.
// For `foo="a b"` Key is "foo", Value is "a b" and HasValue is true; for `quiet` Key is "quiet"
// and HasValue is false.
type Param struct {
	Key      string
	Value    string
	HasValue bool
}

// String gives the parameter back in the form key=value (or key), without the quotes.
func (p Param) String() string {
	if !p.HasValue {
		return p.Key
	}
	return p.Key + "=" + p.Value
}

// SplitCmdline splits a kernel command line (the contents of /proc/cmdline) the way the kernel
// does (lib/cmdline.c next_arg, kernel/params.c parse_args, init/main.c):
//
//   - parameters are separated by whitespace (space, tab, newline, CR, VT, FF); one trailing
//     newline, as /proc/cmdline has, is ignored;
//   - double quotes group whitespace: a quote toggles quoting wherever it appears;
//   - a value that starts with a quote loses it, and a quote that ends the value is dropped
//     (`foo="a b"` gives foo and `a b`; `a="b c"d` gives a and `b c"d`, as in the kernel);
//   - a parameter that starts with a quote loses it and its closing quote at the end
//     (`"foo=a b"` gives foo and `a b`);
//   - the key ends at the first '=' after its first byte (the kernel ignores a leading '=');
//   - a lone `--` ends the parameters: what follows becomes initArgs, split by the same rules
//     and given as key=value or key, the way the kernel hands them to init; a second lone `--`
//     ends initArgs (the kernel drops the rest).
//
// Unlike the kernel, byte 0xA0 is not whitespace (it occurs inside UTF-8 characters), and the
// line ends at a NUL byte as the kernel's C string would.
func SplitCmdline(s string) (params []Param, initArgs []string) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(s, "\n")
	rest := skipSpaces(s)
	for rest != "" {
		var p Param
		p, rest = nextArg(rest)
		if isDashes(p) {
			return params, splitInitArgs(rest)
		}
		params = append(params, p)
	}
	return params, nil
}

// splitInitArgs splits what follows the first lone `--`, as the kernel's set_init_arg does.
func splitInitArgs(rest string) []string {
	var args []string
	for rest != "" {
		var p Param
		p, rest = nextArg(rest)
		if isDashes(p) {
			break
		}
		args = append(args, p.String())
	}
	return args
}

func isDashes(p Param) bool { return !p.HasValue && p.Key == "--" }

// nextArg takes one parameter off the front of args, which must not be empty nor start with
// whitespace. It follows the kernel's next_arg byte for byte; the kernel's '\0' writes become
// zero bytes here, and keys and values are read up to the first zero byte as C strings are.
func nextArg(args string) (p Param, rest string) {
	quoted, inQuote := false, false
	if args[0] == '"' {
		args = args[1:]
		quoted, inQuote = true, true
	}
	i, equals := 0, 0
	for ; i < len(args); i++ {
		c := args[i]
		if isSpace(c) && !inQuote {
			break
		}
		if equals == 0 && c == '=' {
			equals = i
		}
		if c == '"' {
			inQuote = !inQuote
		}
	}
	b := []byte(args[:i])
	valStart := -1
	if equals != 0 {
		b[equals] = 0
		valStart = equals + 1
		if valStart < len(b) && b[valStart] == '"' {
			valStart++
			if b[i-1] == '"' {
				b[i-1] = 0
			}
		}
	}
	if quoted && i > 0 && b[i-1] == '"' {
		b[i-1] = 0
	}
	p.Key = cString(b)
	if valStart >= 0 {
		p.HasValue = true
		p.Value = cString(b[valStart:])
	}
	return p, skipSpaces(args[i:])
}

// cString returns b up to its first zero byte.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// isSpace is the kernel's isspace() for ASCII.
func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

func skipSpaces(s string) string {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return s[i:]
}

// hasSpace reports whether s contains a byte SplitCmdline treats as whitespace.
func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			return true
		}
	}
	return false
}
