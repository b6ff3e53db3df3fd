package boot

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParamError is a kernel command-line parameter that goinit knows but cannot parse.
// Its text quotes what the user wrote and shows the expected form:
//
//	cmdline: rd.retry="abc": expected a number of seconds, e.g. rd.retry=30
//
// The value of a parameter whose name contains "password" (or "passwd", "secret") is never
// shown, nor the credentials of an iscsi: root.
type ParamError struct {
	Param    string // the parameter's name as written, e.g. "rd.retry"
	Value    string // the value as written, without the kernel's quotes
	Expected string // the expected form, e.g. "a number of seconds, e.g. rd.retry=30"
}

func (e *ParamError) Error() string {
	if isSecretKey(e.Param) {
		return "cmdline: " + printable(e.Param) + "=" + hiddenValue + ": expected " + e.Expected
	}
	return "cmdline: " + printable(e.Param) + `="` + printable(displayValue(e.Param, e.Value)) +
		`": expected ` + e.Expected
}

// hiddenValue stands for a value that must not reach the console.
const hiddenValue = "<hidden>"

// isSecretKey reports whether the parameter named key carries a secret.
func isSecretKey(key string) bool {
	k := strings.ToLower(key)
	return strings.Contains(k, "password") || strings.Contains(k, "passwd") ||
		strings.Contains(k, "secret")
}

// displayValue is the value of key as it may be shown: hidden for secret keys, and with the
// credentials of an RFC 4173 iscsi: root (iscsi:<user>:<pass>@...) replaced.
func displayValue(key, value string) string {
	if isSecretKey(key) {
		return hiddenValue
	}
	if key == "root" || key == "netroot" {
		if len(value) >= 6 && strings.EqualFold(value[:6], "iscsi:") {
			if at := strings.LastIndexByte(value, '@'); at >= 0 {
				return value[:6] + hiddenValue + value[at:]
			}
		}
	}
	return value
}

// displayArg is an init argument or a module parameter (key=value or key) as it may be shown.
func displayArg(arg string) string {
	key, value, ok := strings.Cut(arg, "=")
	if !ok {
		return arg
	}
	return key + "=" + displayValue(key, value)
}

// printable escapes what a console would not show as text: control characters, invalid UTF-8
// and other non-printing runes become \xNN or \u{NNNN}. A backslash is kept as it is.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) && r != ' ' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && !unicode.IsPrint(r) && r != ' ':
			fmt.Fprintf(&b, `\x%02x`, r)
		case !unicode.IsPrint(r) && r != ' ':
			fmt.Fprintf(&b, `\u{%04x}`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
