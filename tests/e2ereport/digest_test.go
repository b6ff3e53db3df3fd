package main

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The testdata streams were recorded from `go test -json` on a small package: TestParent with
// parallel subtests (slow_fails fails with t.Fatalf after a sleep, fast_passes passes) next
// to a parallel TestOther; all_pass.jsonl is the same package with no failure.

func digestOf(t *testing.T, stream string) (*digest, string, string) {
	t.Helper()
	d := newDigest()
	var text, summary bytes.Buffer
	if err := d.Read(strings.NewReader(stream), &text); err != nil {
		t.Fatalf("Read: %v", err)
	}
	d.WriteSummary(&summary)
	return d, text.String(), summary.String()
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDigestPass(t *testing.T) {
	d, text, summary := digestOf(t, readTestdata(t, "all_pass.jsonl"))
	if !d.OK() {
		t.Errorf("OK() = false for a passing run")
	}
	if summary != "" {
		t.Errorf("summary of a passing run = %q, want none", summary)
	}
	for _, want := range []string{"=== RUN   TestParent\n", "--- PASS: TestParent/fast_passes", "ok  \texample.com/sample"} {
		if !strings.Contains(text, want) {
			t.Errorf("the -v text lacks %q:\n%s", want, text)
		}
	}
}

func TestDigestParallelSubtestFails(t *testing.T) {
	d, text, summary := digestOf(t, readTestdata(t, "parallel_subtest_fails.jsonl"))
	if d.OK() {
		t.Fatalf("OK() = true for a run with a failed test")
	}
	if !strings.Contains(text, "--- FAIL: TestParent/slow_fails") {
		t.Errorf("the -v text lacks the subtest's FAIL line:\n%s", text)
	}
	wantHead := "2 failed test(s): TestParent/slow_fails, TestParent\n"
	if !strings.Contains(summary, wantHead) {
		t.Errorf("summary lacks %q:\n%s", wantHead, summary)
	}
	// The failed subtest's block holds its own lines, its error included, and nothing of the
	// tests that ran beside it, nor go's === headers.
	block := summary[strings.Index(summary, "---- FAIL TestParent/slow_fails"):]
	block = block[:strings.Index(block, "---- FAIL TestParent (")]
	for _, want := range []string{"slow_fails starts", `no console line matched "GOINIT-CANARY pid=" within 90s`, "--- FAIL: TestParent/slow_fails (0.30s)"} {
		if !strings.Contains(block, want) {
			t.Errorf("the subtest's block lacks %q:\n%s", want, block)
		}
	}
	for _, not := range []string{"other runs meanwhile", "fast_passes starts", "=== CONT"} {
		if strings.Contains(block, not) {
			t.Errorf("the subtest's block holds %q, which is not its own:\n%s", not, block)
		}
	}
	if !strings.Contains(summary, "---- package example.com/sample (output outside any test) ----\nFAIL\n") {
		t.Errorf("summary lacks the package's own lines:\n%s", summary)
	}
}

func TestDigestTruncatedStream(t *testing.T) {
	// The binary was killed: the last event is an output line, no package result follows.
	full := readTestdata(t, "all_pass.jsonl")
	cut := full[:strings.Index(full, `"Action":"pass","Package":"example.com/sample","Test":"TestOther"`)]
	cut = cut[:strings.LastIndex(cut, "\n")+1]
	d, _, summary := digestOf(t, cut)
	if d.OK() {
		t.Fatalf("OK() = true for a stream without the package's result")
	}
	if !strings.Contains(summary, "no result from example.com/sample") {
		t.Errorf("summary does not name the unfinished package:\n%s", summary)
	}
}

func TestDigestNoEvents(t *testing.T) {
	// go test itself failed (a vet or build error): plain text, no JSON.
	d, text, summary := digestOf(t, "# example.com/sample\n./x_test.go:3:1: syntax error\nFAIL\texample.com/sample [build failed]\n")
	if d.OK() {
		t.Fatalf("OK() = true without any test event")
	}
	if !strings.Contains(text, "./x_test.go:3:1: syntax error\n") {
		t.Errorf("plain lines were not passed through:\n%s", text)
	}
	if !strings.Contains(summary, "did not build or start") {
		t.Errorf("summary = %q, want it to say the binary did not run", summary)
	}
}

func TestDigestKeepsLastLines(t *testing.T) {
	d := newDigest()
	k := testKey{"p", "TestLong"}
	for i := 0; i < maxLinesPerTest+25; i++ {
		d.keep(k, "line\n")
	}
	d.keep(k, "the error\n")
	if got := len(d.lines[k]); got != maxLinesPerTest {
		t.Errorf("kept %d lines, want %d", got, maxLinesPerTest)
	}
	if d.dropped[k] != 26 {
		t.Errorf("dropped = %d, want 26", d.dropped[k])
	}
	if last := d.lines[k][len(d.lines[k])-1]; last != "the error" {
		t.Errorf("last kept line = %q, want the newest", last)
	}
}

func TestDigestPackageHeadAndTail(t *testing.T) {
	// A timeout: the panic's first lines name the hung test; a long goroutine dump follows.
	d := newDigest()
	k := testKey{"p", ""}
	d.keep(k, "panic: test timed out after 40m0s\n\trunning tests:\n\t\tTestAoERoot/ext4_aoeroot (39m58s)\n")
	for i := 0; i < 1000; i++ {
		d.keep(k, "goroutine frame\n")
	}
	d.keep(k, "FAIL\tp\t2400.1s\n")
	var b bytes.Buffer
	d.writeLines(&b, k)
	out := b.String()
	if !strings.HasPrefix(out, "panic: test timed out after 40m0s\n\trunning tests:\n\t\tTestAoERoot/ext4_aoeroot (39m58s)\n") {
		t.Errorf("the package's first lines are not kept first:\n%.300s", out)
	}
	if !strings.HasSuffix(out, "FAIL\tp\t2400.1s\n") {
		t.Errorf("the package's last line is not kept last")
	}
	wantDropped := 3 + 1000 + 1 - packageHeadLines - packageTailLines
	if !strings.Contains(out, "("+strconv.Itoa(wantDropped)+" lines left out)\n") {
		t.Errorf("the gap is not counted as %d lines", wantDropped)
	}
	if got := strings.Count(out, "\n"); got != packageHeadLines+packageTailLines+1 {
		t.Errorf("printed %d lines, want %d kept and one gap line", got, packageHeadLines+packageTailLines+1)
	}
}

func TestDigestTimeout(t *testing.T) {
	// timeout.jsonl: TestHangs sleeps past -timeout 2s; test2json gives the panic to the test
	// that was running, which never reports a result.
	d, _, summary := digestOf(t, readTestdata(t, "timeout.jsonl"))
	if d.OK() {
		t.Fatalf("OK() = true for a run that timed out")
	}
	i := strings.Index(summary, "---- NO RESULT TestHangs (example.com/sample): still running when the test binary ended ----\n")
	if i < 0 {
		t.Fatalf("summary does not name the hung test:\n%s", summary)
	}
	block := summary[i:]
	for _, want := range []string{"waiting for a console line that never comes", "panic: test timed out after 2s", "\t\tTestHangs ("} {
		if !strings.Contains(block, want) {
			t.Errorf("the hung test's block lacks %q:\n%s", want, block)
		}
	}
}
