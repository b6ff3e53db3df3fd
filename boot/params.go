package boot

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Defaults of the settings the command line may change.
const (
	DefaultRetry = 180 * time.Second // rd.retry=
	DefaultPanic = 10                // panic=, in seconds
)

// The stages rd.break= names. BreakDefault is rd.break alone (dracut: a shell just before the
// switch to the real root).
const (
	BreakDefault    = ""
	BreakPreNetwork = "pre-network"
	BreakPreMount   = "pre-mount"
	BreakPreOverlay = "pre-overlay"
	BreakPreSwitch  = "pre-switch"
)

// The forms Overlay takes besides "" (no overlay) and "tmpfs:size=<size>".
const OverlayTmpfs = "tmpfs"

// Params are the settings goinit takes from the kernel command line (see CMDLINE.md).
// For a setting given more than once the last occurrence wins, except rd.break, which adds up.
type Params struct {
	Args     []Param  // every parameter before `--`, in order
	InitArgs []string // the arguments after `--`, for the real init

	Root       string // root=, as written; local forms are validated, the rest is for netroot
	RootFSType string // rootfstype=; empty means probe
	RootFlags  string // rootflags=
	RW         bool   // rw; ro (the default) sets it back to false
	Init       string // init=, an absolute path; empty means the default search

	Retry time.Duration // rd.retry=<seconds>; DefaultRetry
	Panic int           // panic=<seconds>: as in the kernel, 0 waits forever, <0 reboots at once

	Shell  bool     // rd.shell or INIT_DEBUG=1: a shell is allowed on failure
	Debug  bool     // INIT_DEBUG=1, rd.debug or goinit.log=debug
	Breaks []string // stages to stop at (Break* constants), each once, in order given
	Pivot  bool     // goinit.pivot=1: pivot_root and keep the initramfs at /initrd

	// Overlay is "" (none), "tmpfs" (AUFS=1, rd.overlay) or "tmpfs:size=<size>" (rd.overlay=).
	Overlay string

	// ModuleParams maps a module name ('-' written as '_') to its "param=value" (or "param")
	// entries from <module>.<param>=<value>, in order; a value holding whitespace or starting
	// with a quote is wrapped in double quotes, ready for finit_module.
	ModuleParams map[string][]string
}

// ParseCmdline splits a kernel command line and reads goinit's settings from it.
// Parameters goinit does not know are kept in Args only. A known parameter whose effective
// (last) occurrence cannot be parsed gives a *ParamError; several give their errors.Join, in
// command-line order. Params is never nil: on error it holds every setting that did parse, so
// the failure path can still honour rd.shell and panic=.
func ParseCmdline(s string) (*Params, error) {
	args, initArgs := SplitCmdline(s)
	p := &Params{
		Args:         args,
		InitArgs:     initArgs,
		Retry:        DefaultRetry,
		Panic:        DefaultPanic,
		ModuleParams: map[string][]string{},
	}
	var st parseState
	last := map[string]posError{} // by setting group: the error of its last occurrence
	var repeated []posError       // errors of repeatable parameters
	for i, a := range args {
		set, ok := settings[a.Key]
		if !ok {
			if mod, entry, ok := moduleParam(a); ok {
				p.ModuleParams[mod] = append(p.ModuleParams[mod], entry)
			}
			continue
		}
		err := set.parse(p, &st, a)
		switch {
		case set.group == "":
			if err != nil {
				repeated = append(repeated, posError{i, err})
			}
		case err != nil:
			last[set.group] = posError{i, err}
		default:
			delete(last, set.group)
		}
	}
	p.Shell = st.shell || st.initDebug
	p.Debug = st.initDebug || st.rdDebug || st.logDebug
	if st.initDebug {
		p.addBreak(BreakPreSwitch)
	}

	all := repeated
	for _, e := range last {
		all = append(all, e)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].pos < all[j].pos })
	switch len(all) {
	case 0:
		return p, nil
	case 1:
		return p, all[0].err
	}
	errs := make([]error, len(all))
	for i, e := range all {
		errs[i] = e.err
	}
	return p, errors.Join(errs...)
}

type posError struct {
	pos int
	err *ParamError
}

// parseState holds what is combined into Params only after the whole line is read.
type parseState struct {
	shell, initDebug, rdDebug, logDebug bool
}

// setting is how one known parameter is read. Parameters of the same group override each
// other (the last one wins); an empty group marks a repeatable parameter.
type setting struct {
	group string
	parse func(p *Params, st *parseState, a Param) *ParamError
}

var settings = map[string]setting{
	"root":         {"root", parseRoot},
	"rootfstype":   {"rootfstype", parseRootFSType},
	"rootflags":    {"rootflags", parseRootFlags},
	"ro":           {"mode", parseMode},
	"rw":           {"mode", parseMode},
	"init":         {"init", parseInit},
	"rd.retry":     {"rd.retry", parseRetry},
	"panic":        {"panic", parsePanic},
	"rd.shell":     {"rd.shell", parseShell},
	"INIT_DEBUG":   {"INIT_DEBUG", parseInitDebug},
	"rd.debug":     {"rd.debug", parseRDDebug},
	"goinit.log":   {"goinit.log", parseLog},
	"rd.break":     {"", parseBreak},
	"goinit.pivot": {"goinit.pivot", parsePivot},
	"AUFS":         {"overlay", parseAUFS},
	"rd.overlay":   {"overlay", parseOverlay},
}

func paramError(a Param, expected string) *ParamError {
	return &ParamError{Param: a.Key, Value: a.Value, Expected: expected}
}

func parseRoot(p *Params, _ *parseState, a Param) *ParamError {
	if exp := checkRoot(a.Value); exp != "" {
		return paramError(a, exp)
	}
	p.Root = a.Value
	return nil
}

// checkRoot validates the local forms of root= and returns the expected form when v is wrong.
// Other forms are left to the network parsers.
func checkRoot(v string) string {
	for _, f := range []struct{ prefix, expected string }{
		{"UUID=", "root=UUID=<filesystem UUID>, e.g. root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3"},
		{"LABEL=", "root=LABEL=<filesystem label>, e.g. root=LABEL=rootfs"},
		{"PARTUUID=", "root=PARTUUID=<partition UUID>, e.g. root=PARTUUID=6c6d2c4a-01"},
		{"PARTLABEL=", "root=PARTLABEL=<partition name>, e.g. root=PARTLABEL=root"},
	} {
		if rest, ok := strings.CutPrefix(v, f.prefix); ok {
			if strings.TrimSpace(rest) == "" {
				return f.expected
			}
			return ""
		}
	}
	switch {
	case v == "":
		return "a root device such as root=/dev/vda1, root=UUID=<uuid> or root=LABEL=<label>, " +
			"or a network root such as root=nfs:<server>:<path>"
	case strings.HasPrefix(v, "/"):
		if !validDevPath(v) {
			return "root=/dev/<device name>, e.g. root=/dev/vda1"
		}
	}
	return ""
}

// validDevPath reports whether v is /dev/<name>, <name> a clean relative path without
// whitespace or control characters.
func validDevPath(v string) bool {
	name, ok := strings.CutPrefix(v, "/dev/")
	if !ok || strings.IndexFunc(name, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
		return false
	}
	for _, elem := range strings.Split(name, "/") {
		if elem == "" || elem == "." || elem == ".." {
			return false
		}
	}
	return true
}

func parseRootFSType(p *Params, _ *parseState, a Param) *ParamError {
	if !isPlainName(a.Value) {
		return paramError(a, "a filesystem type such as ext4, xfs or squashfs "+
			"(lower-case letters, digits, '_' and '.'), e.g. rootfstype=ext4")
	}
	p.RootFSType = a.Value
	return nil
}

// parseRootFlags takes any options; the mount reports options the filesystem refuses.
func parseRootFlags(p *Params, _ *parseState, a Param) *ParamError {
	p.RootFlags = a.Value
	return nil
}

func isPlainName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// parseMode handles ro and rw. With a value (ro=1) the kernel ignores them, and so does goinit.
func parseMode(p *Params, _ *parseState, a Param) *ParamError {
	if !a.HasValue {
		p.RW = a.Key == "rw"
	}
	return nil
}

func parseInit(p *Params, _ *parseState, a Param) *ParamError {
	if !strings.HasPrefix(a.Value, "/") || strings.HasSuffix(a.Value, "/") {
		return paramError(a, "an absolute path to the real init, e.g. init=/sbin/init")
	}
	p.Init = a.Value
	return nil
}

// maxSeconds bounds rd.retry= so that it fits a time.Duration.
const maxSeconds = 999999999

func parseRetry(p *Params, _ *parseState, a Param) *ParamError {
	d, ok := parseSeconds(a.Value)
	switch {
	case !ok:
		return paramError(a, "a number of seconds, e.g. rd.retry=30")
	case d <= 0:
		return paramError(a, "a number of seconds greater than 0, e.g. rd.retry=30")
	case d > maxSeconds*time.Second:
		return paramError(a, "a number of seconds up to "+strconv.Itoa(maxSeconds)+", e.g. rd.retry=30")
	}
	p.Retry = d
	return nil
}

// parseSeconds reads <digits>[.<digits>] as seconds; digits beyond nanoseconds are dropped and
// values above maxSeconds come back as maxSeconds+1s.
func parseSeconds(v string) (time.Duration, bool) {
	whole, frac, hasDot := strings.Cut(v, ".")
	if !allDigits(whole) || hasDot && !allDigits(frac) {
		return 0, false
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > len(strconv.Itoa(maxSeconds)) {
		return (maxSeconds + 1) * time.Second, true
	}
	sec := 0
	if whole != "" {
		sec, _ = strconv.Atoi(whole)
	}
	ns := 0
	for i := 0; i < 9; i++ {
		ns *= 10
		if i < len(frac) {
			ns += int(frac[i] - '0')
		}
	}
	return time.Duration(sec)*time.Second + time.Duration(ns), true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parsePanic(p *Params, _ *parseState, a Param) *ParamError {
	n, err := strconv.ParseInt(a.Value, 10, 32)
	if err != nil {
		return paramError(a, "a whole number of seconds, e.g. panic=10 (0 waits forever, "+
			"a negative number reboots at once)")
	}
	p.Panic = int(n)
	return nil
}

// boolWord reads the yes/no words dracut users write; ok is false for anything else.
func boolWord(v string) (on, ok bool) {
	switch strings.ToLower(v) {
	case "1", "y", "yes", "on", "true":
		return true, true
	case "0", "n", "no", "off", "false":
		return false, true
	}
	return false, false
}

// flag reads a switch that may stand alone (rd.shell) or take a yes/no word (rd.shell=0).
func flag(a Param) (on, ok bool) {
	if !a.HasValue {
		return true, true
	}
	return boolWord(a.Value)
}

// seedFlag reads INIT_DEBUG= and AUFS= as the seed script did ([ -n "$X" ]), except that 0,
// no, off and false also mean off. Alone, the parameter means on.
func seedFlag(a Param) bool {
	if !a.HasValue {
		return true
	}
	if on, ok := boolWord(a.Value); ok {
		return on
	}
	return a.Value != ""
}

func flagExpected(key string) string {
	return key + " alone, " + key + "=1 or " + key + "=0"
}

func parseInitDebug(_ *Params, st *parseState, a Param) *ParamError {
	st.initDebug = seedFlag(a)
	return nil
}

func parseShell(_ *Params, st *parseState, a Param) *ParamError {
	on, ok := flag(a)
	if !ok {
		return paramError(a, flagExpected("rd.shell"))
	}
	st.shell = on
	return nil
}

func parseRDDebug(_ *Params, st *parseState, a Param) *ParamError {
	on, ok := flag(a)
	if !ok {
		return paramError(a, flagExpected("rd.debug"))
	}
	st.rdDebug = on
	return nil
}

func parsePivot(p *Params, _ *parseState, a Param) *ParamError {
	on, ok := flag(a)
	if !ok {
		return paramError(a, flagExpected("goinit.pivot"))
	}
	p.Pivot = on
	return nil
}

func parseLog(_ *Params, st *parseState, a Param) *ParamError {
	switch a.Value {
	case "debug":
		st.logDebug = true
	case "info":
		st.logDebug = false
	default:
		return paramError(a, "goinit.log=debug or goinit.log=info")
	}
	return nil
}

var breakStages = []string{BreakPreNetwork, BreakPreMount, BreakPreOverlay, BreakPreSwitch}

func parseBreak(p *Params, _ *parseState, a Param) *ParamError {
	if a.Value == "" {
		p.addBreak(BreakDefault)
		return nil
	}
	stages := strings.Split(a.Value, ",")
	for _, s := range stages {
		if !contains(breakStages, s) {
			return paramError(a, "rd.break alone or rd.break=<stage>[,<stage>...] with the stages "+
				strings.Join(breakStages, ", "))
		}
	}
	for _, s := range stages {
		p.addBreak(s)
	}
	return nil
}

func (p *Params) addBreak(stage string) {
	if !contains(p.Breaks, stage) {
		p.Breaks = append(p.Breaks, stage)
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func parseAUFS(p *Params, _ *parseState, a Param) *ParamError {
	p.Overlay = ""
	if seedFlag(a) {
		p.Overlay = OverlayTmpfs
	}
	return nil
}

func parseOverlay(p *Params, _ *parseState, a Param) *ParamError {
	if on, ok := flag(a); ok {
		p.Overlay = ""
		if on {
			p.Overlay = OverlayTmpfs
		}
		return nil
	}
	if a.Value == OverlayTmpfs {
		p.Overlay = OverlayTmpfs
		return nil
	}
	if size, ok := strings.CutPrefix(a.Value, OverlayTmpfs+":size="); ok && validSize(size) {
		p.Overlay = a.Value
		return nil
	}
	return paramError(a, "rd.overlay alone, rd.overlay=tmpfs or rd.overlay=tmpfs:size=<size> "+
		"with a size in bytes, k, m, g or % of RAM, e.g. rd.overlay=tmpfs:size=512m")
}

// validSize checks a tmpfs size=: digits with an optional k/m/g/t/p/e suffix or %.
func validSize(s string) bool {
	if s == "" {
		return false
	}
	if strings.ContainsRune("kKmMgGtTpPeE%", rune(s[len(s)-1])) {
		s = s[:len(s)-1]
	}
	return allDigits(s) && len(s) <= 20
}

// moduleParam reads <module>.<param>[=<value>] into the module name (with '-' as '_') and the
// entry for finit_module. goinit's own prefixes (rd., goinit., canary.) are not modules.
func moduleParam(a Param) (module, entry string, ok bool) {
	module, name, found := strings.Cut(a.Key, ".")
	if !found || !isModuleName(module) || name == "" || hasSpace(name) ||
		strings.ContainsAny(name, `"=`) {
		return "", "", false
	}
	module = strings.ReplaceAll(module, "-", "_")
	switch module {
	case "rd", "goinit", "canary":
		return "", "", false
	}
	if !a.HasValue {
		return module, name, true
	}
	v := a.Value
	if hasSpace(v) || strings.HasPrefix(v, `"`) {
		v = `"` + v + `"`
	}
	return module, name + "=" + v, true
}

func isModuleName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' ||
			c == '-') {
			return false
		}
	}
	return true
}

// Get returns the value of the last occurrence of key and whether key occurs at all
// (a key written without '=' gives "", true).
func (p *Params) Get(key string) (string, bool) {
	if p == nil {
		return "", false
	}
	for i := len(p.Args) - 1; i >= 0; i-- {
		if p.Args[i].Key == key {
			return p.Args[i].Value, true
		}
	}
	return "", false
}

// All returns the values of every occurrence of key, in order ("" where it has no value).
func (p *Params) All(key string) []string {
	if p == nil {
		return nil
	}
	var vals []string
	for _, a := range p.Args {
		if a.Key == key {
			vals = append(vals, a.Value)
		}
	}
	return vals
}

// Has reports whether key occurs, with or without a value.
func (p *Params) Has(key string) bool {
	_, ok := p.Get(key)
	return ok
}

// String summarizes the settings for INIT_DEBUG output: one `key: value` per line, long
// values wrapped onto indented lines so that no line is wider than 80 columns. Secret values
// are shown as <hidden>.
func (p *Params) String() string {
	if p == nil {
		return "(no parameters)\n"
	}
	var b strings.Builder
	line := func(key, value string) {
		for _, l := range wrapLine(printable(key) + ": " + printable(value)) {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	orNone := func(s, none string) string {
		if s == "" {
			return none
		}
		return s
	}
	yesNo := map[bool]string{true: "yes", false: "no"}

	line("root", orNone(displayValue("root", p.Root), "(none)"))
	line("rootfstype", orNone(p.RootFSType, "(probe)"))
	line("rootflags", orNone(p.RootFlags, "(none)"))
	line("mode", map[bool]string{true: "rw", false: "ro"}[p.RW])
	line("init", orNone(p.Init, "(search /sbin/init /etc/init /bin/init /bin/sh)"))
	initArgs := make([]string, len(p.InitArgs))
	for i, a := range p.InitArgs {
		initArgs[i] = quoteForDisplay(displayArg(a))
	}
	line("init args", orNone(strings.Join(initArgs, " "), "(none)"))
	line("retry", p.Retry.String())
	line("panic", strconv.Itoa(p.Panic)+"s")
	line("shell", yesNo[p.Shell])
	line("debug", yesNo[p.Debug])
	breaks := make([]string, len(p.Breaks))
	for i, s := range p.Breaks {
		breaks[i] = orNone(s, "(default)")
	}
	line("breaks", orNone(strings.Join(breaks, " "), "(none)"))
	line("pivot", yesNo[p.Pivot])
	line("overlay", orNone(p.Overlay, "(none)"))
	mods := make([]string, 0, len(p.ModuleParams))
	for m := range p.ModuleParams {
		mods = append(mods, m)
	}
	sort.Strings(mods)
	for _, m := range mods {
		entries := make([]string, len(p.ModuleParams[m]))
		for i, e := range p.ModuleParams[m] {
			entries[i] = displayArg(e)
		}
		line("module "+m, strings.Join(entries, " "))
	}
	args := make([]string, len(p.Args))
	for i, a := range p.Args {
		args[i] = a.Key
		if a.HasValue {
			args[i] += "=" + quoteForDisplay(displayValue(a.Key, a.Value))
		}
	}
	line("cmdline", orNone(strings.Join(args, " "), "(empty)"))
	return b.String()
}

// quoteForDisplay wraps s in double quotes when it holds whitespace or is empty.
func quoteForDisplay(s string) string {
	if s == "" || hasSpace(s) {
		return `"` + s + `"`
	}
	return s
}

// summaryWidth is the console width String keeps to.
const summaryWidth = 80

// wrapLine breaks text at spaces into lines of at most summaryWidth columns, continuation lines
// indented; a word too long for a line is cut. Non-ASCII runes count as two columns.
func wrapLine(text string) []string {
	const indent = "    "
	var lines []string
	var cur strings.Builder
	width, words := 0, 0
	flush := func() {
		lines = append(lines, strings.TrimRight(cur.String(), " "))
		cur.Reset()
		cur.WriteString(indent)
		width, words = len(indent), 0
	}
	for _, w := range strings.Split(text, " ") {
		ww := textWidth(w)
		if words > 0 && width+1+ww > summaryWidth {
			flush()
		}
		if words > 0 {
			cur.WriteByte(' ')
			width++
		}
		for width+ww > summaryWidth {
			cut, used := 0, 0
			for i, r := range w {
				if width+used+runeWidth(r) > summaryWidth {
					break
				}
				used += runeWidth(r)
				cut = i + utf8.RuneLen(r)
			}
			cur.WriteString(w[:cut])
			w, ww = w[cut:], ww-used
			flush()
		}
		cur.WriteString(w)
		width += ww
		words++
	}
	return append(lines, strings.TrimRight(cur.String(), " "))
}

func runeWidth(r rune) int {
	if r < utf8.RuneSelf {
		return 1
	}
	return 2
}

func textWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}
