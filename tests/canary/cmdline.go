package main

import "strings"

// param is one kernel command line parameter: key, and value when it had an '='.
type param struct {
	Key    string
	Val    string
	HasVal bool
}

// isSpace matches the kernel's isspace for the ASCII bytes a command line holds.
func isSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

// splitCmdline splits a kernel command line the way the kernel's next_arg does: parameters are
// separated by spaces, double quotes hold spaces, and quotes around a value or around a whole
// parameter are dropped. It stops at a lone "--"; what follows is returned as init arguments.
func splitCmdline(s string) (params []param, initArgs []string) {
	b := []byte(s)
	i := skipSpaces(b, 0)
	for i < len(b) {
		p, next := nextArg(b, i)
		i = skipSpaces(b, next)
		if !p.HasVal && p.Key == "--" {
			return params, strings.Fields(string(b[i:]))
		}
		params = append(params, p)
	}
	return params, nil
}

func skipSpaces(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// nextArg reads one parameter starting at b[start]; it returns it and the index after it.
func nextArg(b []byte, start int) (param, int) {
	quoted := false
	inQuote := false
	if start < len(b) && b[start] == '"' {
		start++
		inQuote, quoted = true, true
	}
	arg := b[start:]
	i, equals := 0, 0
	for ; i < len(arg); i++ {
		if isSpace(arg[i]) && !inQuote {
			break
		}
		if equals == 0 && arg[i] == '=' {
			equals = i
		}
		if arg[i] == '"' {
			inQuote = !inQuote
		}
	}
	end := i // exclusive end of the parameter text
	next := start + i
	if next < len(b) {
		next++ // the separating space
	}
	var p param
	if equals == 0 {
		last := end
		if quoted && end > 0 && arg[end-1] == '"' {
			last--
		}
		p.Key = string(arg[:last])
		return p, next
	}
	p.Key = string(arg[:equals])
	p.HasVal = true
	vs, ve := equals+1, end
	if vs < ve && arg[vs] == '"' {
		vs++
		if arg[end-1] == '"' {
			ve--
		}
	}
	if quoted && ve == end && end > 0 && arg[end-1] == '"' {
		ve--
	}
	if ve < vs {
		ve = vs
	}
	p.Val = string(arg[vs:ve])
	return p, next
}
