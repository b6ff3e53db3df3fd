package modalias

// fnmatch reports whether s matches the shell pattern p with the semantics of fnmatch(3)
// called with flags 0, as kmod uses it for modules.alias: '*' matches any run of bytes
// (including '/' and a leading '.'), '?' any single byte, "[...]" a bracket expression with
// '!' or '^' negation, ranges and the POSIX named classes ("[:alpha:]" ...), and '\' quotes the
// next byte. A '[' without a closing ']' is an ordinary byte. Matching is bytewise, as in the
// C locale.
func fnmatch(p, s string) bool {
	px, sx := 0, 0
	// Position after the last '*' seen and the text position it is currently matched up to:
	// on a mismatch, the star swallows one more byte and matching resumes after it. One
	// backtrack point is enough because '*' matches any string.
	starP, starS := -1, 0
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				starP, starS = px+1, sx
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			case '[':
				if sx < len(s) {
					matched, width, kind := matchBracket(p[px:], s[sx])
					if kind == bracketBad {
						return false
					}
					if kind == bracketUnterminated {
						// No closing ']': the '[' is literal.
						if s[sx] == '[' {
							px++
							sx++
							continue
						}
					} else if matched {
						px += width
						sx++
						continue
					}
				}
			case '\\':
				// A trailing '\' matches nothing.
				if px+1 < len(p) && sx < len(s) && p[px+1] == s[sx] {
					px += 2
					sx++
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if starP >= 0 && starS < len(s) {
			starS++
			px, sx = starP, starS
			continue
		}
		return false
	}
	return true
}

// Kinds of bracket expression.
const (
	bracketOK           = iota
	bracketUnterminated // no closing ']': the '[' is an ordinary byte
	bracketBad          // unknown named class: glibc fails the whole match
)

// matchBracket matches byte c against the bracket expression at the start of p (p[0] is
// '['). It returns whether c matched, the width of the expression in p, and its kind.
func matchBracket(p string, c byte) (matched bool, width int, kind int) {
	i := 1
	negate := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		negate = true
		i++
	}
	first := true
	for {
		if i >= len(p) {
			return false, 0, bracketUnterminated
		}
		b := p[i]
		if b == ']' && !first {
			i++
			break
		}
		first = false
		if b == '[' && i+1 < len(p) && p[i+1] == ':' {
			// Class names are short ("xdigit" is the longest): look no further, which keeps
			// a bracket expression's cost linear in its length.
			end := indexFrom(p[:min(len(p), i+2+maxClassName+2)], ":]", i+2)
			if end >= 0 {
				in, known := inNamedClass(p[i+2:end], c)
				if !known {
					return false, 0, bracketBad
				}
				if in {
					matched = true
				}
				i = end + 2
				continue
			}
		}
		lo, n, ok := bracketByte(p, i)
		if !ok {
			return false, 0, bracketUnterminated
		}
		i += n
		hi := lo
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			h, n2, ok := bracketByte(p, i+1)
			if !ok {
				return false, 0, bracketUnterminated
			}
			hi = h
			i += 1 + n2
		}
		if lo <= c && c <= hi {
			matched = true
		}
	}
	return matched != negate, i, bracketOK
}

// maxClassName bounds the name in "[:name:]"; longer names are no class.
const maxClassName = 16

// bracketByte reads one possibly '\'-quoted byte of a bracket expression at p[i].
func bracketByte(p string, i int) (b byte, width int, ok bool) {
	if p[i] == '\\' {
		if i+1 >= len(p) {
			return 0, 0, false
		}
		return p[i+1], 2, true
	}
	return p[i], 1, true
}

func indexFrom(s, sub string, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// inNamedClass reports whether c is in the POSIX class name (C locale) and whether the name
// is known.
func inNamedClass(name string, c byte) (in, known bool) {
	isUpper := 'A' <= c && c <= 'Z'
	isLower := 'a' <= c && c <= 'z'
	isDigit := '0' <= c && c <= '9'
	isAlpha := isUpper || isLower
	isPrint := 0x20 <= c && c < 0x7f
	isGraph := 0x20 < c && c < 0x7f
	switch name {
	case "alnum":
		return isAlpha || isDigit, true
	case "alpha":
		return isAlpha, true
	case "blank":
		return c == ' ' || c == '\t', true
	case "cntrl":
		return c < 0x20 || c == 0x7f, true
	case "digit":
		return isDigit, true
	case "graph":
		return isGraph, true
	case "lower":
		return isLower, true
	case "print":
		return isPrint, true
	case "punct":
		return isGraph && !isAlpha && !isDigit, true
	case "space":
		return c == ' ' || ('\t' <= c && c <= '\r'), true
	case "upper":
		return isUpper, true
	case "xdigit":
		return isDigit || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F'), true
	}
	return false, false
}
