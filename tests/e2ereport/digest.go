package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json), with the fields this report reads.
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	Elapsed    float64
	ImportPath string // build-output and build-fail events
}

// maxLinesPerTest bounds what the digest keeps of one test: its last lines, where a failure
// and the console tail that explains it are.
const maxLinesPerTest = 400

// A failed package's own lines (outside any test) are kept from the start and the end: a
// timeout's panic names the tests still running first, then dumps every goroutine.
const (
	packageHeadLines = 100
	packageTailLines = 60
)

type testKey struct{ pkg, test string }

// digest collects the stream: every test's own output, which tests and packages failed, and
// which packages reported a result.
type digest struct {
	head     map[testKey][]string // a package's first lines
	lines    map[testKey][]string // the last lines
	dropped  map[testKey]int      // lines between head and lines, left out
	failed   []testKey            // in the order they failed
	running  []testKey            // every test that started, in order
	ended    map[testKey]bool     // tests that reported pass, fail or skip
	elapsed  map[testKey]float64
	packages map[string]string // package -> its final action ("" until it reports)
	order    []string
	events   int
}

func newDigest() *digest {
	return &digest{
		head:     map[testKey][]string{},
		lines:    map[testKey][]string{},
		dropped:  map[testKey]int{},
		elapsed:  map[testKey]float64{},
		ended:    map[testKey]bool{},
		packages: map[string]string{},
	}
}

// Read copies the stream's output to w as go test -v would print it, and records what the
// summary needs. Lines that are not JSON (go's own messages) pass through unchanged.
func (d *digest) Read(r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &ev) != nil || ev.Action == "" {
			fmt.Fprintf(w, "%s\n", line)
			continue
		}
		d.events++
		if _, err := io.WriteString(w, ev.Output); err != nil {
			return err
		}
		d.add(ev)
	}
	return sc.Err()
}

func (d *digest) add(ev event) {
	pkg := ev.Package
	if pkg == "" {
		pkg = ev.ImportPath
	}
	if pkg != "" {
		if _, ok := d.packages[pkg]; !ok {
			d.packages[pkg] = ""
			d.order = append(d.order, pkg)
		}
	}
	k := testKey{pkg, ev.Test}
	switch ev.Action {
	case "run":
		d.running = append(d.running, k)
	case "output", "build-output":
		d.keep(k, ev.Output)
	case "fail", "build-fail":
		if ev.Test == "" {
			d.packages[pkg] = "fail"
		} else {
			d.failed = append(d.failed, k)
			d.elapsed[k] = ev.Elapsed
			d.ended[k] = true
		}
	case "pass", "skip":
		if ev.Test == "" && d.packages[pkg] == "" {
			d.packages[pkg] = ev.Action
		}
		d.ended[k] = true
	}
}

func (d *digest) keep(k testKey, out string) {
	headLimit, limit := 0, maxLinesPerTest
	if k.test == "" {
		headLimit, limit = packageHeadLines, packageTailLines
	}
	for _, l := range strings.SplitAfter(out, "\n") {
		if l == "" {
			continue
		}
		l = strings.TrimSuffix(l, "\n")
		if len(d.head[k]) < headLimit {
			d.head[k] = append(d.head[k], l)
		} else {
			d.lines[k] = append(d.lines[k], l)
		}
	}
	if n := len(d.lines[k]); n > limit {
		d.dropped[k] += n - limit
		d.lines[k] = append(d.lines[k][:0], d.lines[k][n-limit:]...)
	}
}

// packagesIn lists, in the order they appeared, the packages whose final action is state:
// "fail", or "" for those that never reported pass, fail or skip.
func (d *digest) packagesIn(state string) []string {
	var out []string
	for _, p := range d.order {
		if d.packages[p] == state {
			out = append(out, p)
		}
	}
	return out
}

// OK reports whether every package that ran reported success and no test failed.
func (d *digest) OK() bool {
	return d.events > 0 && len(d.failed) == 0 && len(d.packagesIn("fail")) == 0 && len(d.packagesIn("")) == 0
}

// testHeader matches the lines go test prints around a test's output, not written by it.
func testHeader(l string) bool {
	for _, p := range []string{"=== RUN ", "=== PAUSE ", "=== CONT ", "=== NAME "} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// WriteSummary writes nothing when all went well; otherwise the digest of what failed.
func (d *digest) WriteSummary(w io.Writer) {
	if d.OK() {
		return
	}
	fmt.Fprintf(w, "\n======== e2ereport: what failed ========\n")
	if d.events == 0 {
		fmt.Fprintf(w, "no go test -json events on stdin: the test binary did not build or start (see the lines above)\n")
		return
	}
	names := make([]string, 0, len(d.failed))
	for _, k := range d.failed {
		names = append(names, k.test)
	}
	if len(names) > 0 {
		fmt.Fprintf(w, "%d failed test(s): %s\n", len(names), strings.Join(names, ", "))
	}
	for _, k := range d.failed {
		fmt.Fprintf(w, "\n---- FAIL %s (%s, %.2fs) ----\n", k.test, k.pkg, d.elapsed[k])
		d.writeLines(w, k)
	}
	// A timeout or a crash ends the binary with tests still running; test2json gives the panic
	// to one of them.
	for _, k := range d.running {
		if !d.ended[k] {
			fmt.Fprintf(w, "\n---- NO RESULT %s (%s): still running when the test binary ended ----\n", k.test, k.pkg)
			d.writeLines(w, k)
		}
	}
	for _, p := range d.packagesIn("fail") {
		k := testKey{p, ""}
		if len(d.head[k])+len(d.lines[k]) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n---- package %s (output outside any test) ----\n", p)
		d.writeLines(w, k)
	}
	if u := d.packagesIn(""); len(u) > 0 {
		sort.Strings(u)
		fmt.Fprintf(w, "\nno result from %s: the stream ended before the test binary reported (killed or crashed?)\n", strings.Join(u, ", "))
	}
	fmt.Fprintf(w, "======== e2ereport: end ========\n")
}

func (d *digest) writeLines(w io.Writer, k testKey) {
	print := func(lines []string) {
		for _, l := range lines {
			if !testHeader(l) {
				fmt.Fprintln(w, l)
			}
		}
	}
	print(d.head[k])
	if n := d.dropped[k]; n > 0 {
		fmt.Fprintf(w, "(%d lines left out)\n", n)
	}
	print(d.lines[k])
}
