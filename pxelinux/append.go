package pxelinux

import "strings"

// cmdlineTokens splits a kernel command line into its parameters as the kernel does: separated
// by whitespace, with double quotes protecting whitespace. The tokens keep their quotes.
func cmdlineTokens(s string) []string {
	var toks []string
	i := 0
	for i < len(s) {
		if isCmdlineSpace(s[i]) {
			i++
			continue
		}
		start, quoted := i, false
		for i < len(s) && (quoted || !isCmdlineSpace(s[i])) {
			if s[i] == '"' {
				quoted = !quoted
			}
			i++
		}
		toks = append(toks, s[start:i])
	}
	return toks
}

func isCmdlineSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// paramValue returns the value of a token key=value for key, without its quotes.
func paramValue(tok, key string) (string, bool) {
	t := strings.TrimPrefix(tok, `"`)
	v, ok := strings.CutPrefix(t, key+"=")
	if !ok {
		return "", false
	}
	return strings.TrimSpace(strings.Trim(v, `"`)), true
}

// cutInitrd removes every initrd= parameter from an APPEND value and returns the rest (its
// parameters joined by single spaces) and the last initrd= value (which PXELINUX loads).
// Without initrd= the value comes back unchanged.
func cutInitrd(s string) (rest, initrd string, found bool) {
	toks := cmdlineTokens(s)
	kept := toks[:0]
	for _, t := range toks {
		if v, ok := paramValue(t, "initrd"); ok {
			initrd, found = v, true
			continue
		}
		kept = append(kept, t)
	}
	if !found {
		return s, "", false
	}
	return strings.Join(kept, " "), initrd, true
}
