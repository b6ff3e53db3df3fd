// Command e2ereport turns the JSON stream of `go test -json` back into the text `go test -v`
// prints and, when a test failed, ends with a digest: every failed test's own output in one
// block, in the order the tests failed. Parallel tests interleave in the stream, and a failed
// parallel subtest is otherwise reported only when its parent ends, far from its error.
//
//	go test -json -tags e2e ./tests/e2e/ | e2ereport
//
// It exits 1 when a test or a package failed, or when the stream ended before every package
// it names reported a result (a killed or crashed test binary).
package main

import (
	"fmt"
	"os"
)

func main() {
	d := newDigest()
	if err := d.Read(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "e2ereport: read the go test -json stream: %v\n", err)
		os.Exit(1)
	}
	d.WriteSummary(os.Stdout)
	if !d.OK() {
		os.Exit(1)
	}
}
