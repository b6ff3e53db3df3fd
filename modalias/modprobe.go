package modalias

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
)

// ParseModuleParams returns the module parameters in a kernel command line: every
// "<module>.<param>=<value>" (or "<module>.<param>") argument, keyed by the normalized module
// name, as "param=value" in command-line order. Arguments are split at white space outside
// double quotes, and the quotes are removed, as the kernel does; parsing stops at "--", after
// which the arguments belong to init. The prefixes rd, goinit and canary are goinit's own
// parameters, not modules.
func ParseModuleParams(cmdline string) map[string][]string {
	params := map[string][]string{}
	for _, arg := range splitCmdline(cmdline) {
		if arg == "--" {
			break
		}
		key, val, hasVal := strings.Cut(arg, "=")
		mod, param, ok := strings.Cut(key, ".")
		if !ok || mod == "" || param == "" {
			continue
		}
		switch mod {
		case "rd", "goinit", "canary":
			continue
		}
		if hasVal {
			param += "=" + val
		}
		name := normalizeName(mod)
		params[name] = append(params[name], param)
	}
	return params
}

// splitCmdline splits a command line at white space outside double quotes and drops the
// quotes.
func splitCmdline(s string) []string {
	var args []string
	var cur strings.Builder
	inArg, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			quoted = !quoted
			inArg = true
		case !quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}

// ServeModprobe is goinit's modprobe mode, run by the kernel's request_module as
// "modprobe -q -- <name-or-alias>". It loads the module (and what it needs) from the index in
// dir with the "<module>.<param>=" values of cmdline plus any "param=value" arguments after the
// name, and returns the exit code: 0 on success, 1 on failure. As with kmod, -q silences the
// message for a name that matches nothing but the exit code is still 1. -v reports each module
// loaded; -b (use the blacklist) is accepted and has no effect. It never panics.
func ServeModprobe(args []string, dir string, cmdline string) int {
	return serveModprobe(args, dir, cmdline, modprobeEnv{stderr: os.Stderr})
}

// modprobeEnv holds ServeModprobe's seams.
type modprobeEnv struct {
	stderr    io.Writer
	finit     func(fd int, params string, flags int) error
	initMod   func(image []byte, params string) error
	sysModule string
}

func serveModprobe(args []string, dir, cmdline string, env modprobeEnv) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(env.stderr, "modprobe: internal error: %v\n", r)
			code = 1
		}
	}()
	quiet, verbose := false, false
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		switch a {
		case "--quiet":
			quiet = true
			continue
		case "--verbose":
			verbose = true
			continue
		case "--use-blacklist":
			continue
		}
		if len(a) > 1 && a[0] == '-' {
			for _, c := range a[1:] {
				switch c {
				case 'q':
					quiet = true
				case 'v':
					verbose = true
				case 'b':
				default:
					fmt.Fprintf(env.stderr, "modprobe: unknown option %q in %q (goinit's modprobe takes -q, -v, -b)\n", "-"+string(c), a)
					return 1
				}
			}
			continue
		}
		pos = append(pos, a)
	}
	if len(pos) == 0 {
		fmt.Fprintf(env.stderr, "modprobe: no module name given (usage: modprobe [-q] [-v] [--] <module-or-alias> [param=value...])\n")
		return 1
	}
	name := pos[0]
	ix, err := Load(dir)
	if err != nil {
		fmt.Fprintf(env.stderr, "modprobe %s: %v\n", name, err)
		return 1
	}
	if len(ix.Lookup(name)) == 0 {
		if !quiet {
			fmt.Fprintf(env.stderr, "modprobe: module %q not found in %s\n", name, dir)
		}
		return 1
	}
	params := ParseModuleParams(cmdline)
	for _, m := range ix.Lookup(name) {
		params[m] = append(params[m], pos[1:]...)
	}
	var logf func(string, ...any)
	if verbose {
		logf = func(format string, args ...any) { fmt.Fprintf(env.stderr, format+"\n", args...) }
	}
	l := NewLoader(ix, params, logf)
	l.finit = env.finit
	l.initMod = env.initMod
	l.sysModule = env.sysModule
	if _, err := l.Load(context.Background(), name); err != nil {
		fmt.Fprintf(env.stderr, "modprobe %s: %v\n", name, err)
		return 1
	}
	return 0
}
