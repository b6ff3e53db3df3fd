package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// check is one canary.<kind>=<arg> parameter from the kernel command line.
type check struct {
	Kind string
	Arg  string
}

// checkPrefix starts every kernel parameter the canary acts on.
const checkPrefix = "canary."

// checksFrom returns the canary.* parameters in command line order.
func checksFrom(params []param) []check {
	var out []check
	for _, p := range params {
		if kind, ok := strings.CutPrefix(p.Key, checkPrefix); ok && p.Key != runTimeoutParam {
			out = append(out, check{Kind: kind, Arg: p.Val})
		}
	}
	return out
}

// runTimeoutParam bounds each canary.run program: canary.runtimeout=<Go duration>, e.g. 5m.
const runTimeoutParam = "canary.runtimeout"

// runTimeoutFrom returns the last valid canary.runtimeout= (a positive Go duration), else def.
func runTimeoutFrom(params []param, def time.Duration) time.Duration {
	for _, p := range params {
		if p.Key == runTimeoutParam {
			if d, err := time.ParseDuration(p.Val); err == nil && d > 0 {
				def = d
			}
		}
	}
	return def
}

// checker runs checks and reports each as lines on its console.
type checker struct {
	con        *console
	runTimeout time.Duration
	maxOutput  int // bytes of a file or a program's output that are printed
}

// result prints the line the tests look for: GOINIT-CANARY-CHECK <kind> <subject> <status>[ detail].
func (c *checker) result(kind, subject, status, detail string) {
	line := fmt.Sprintf("GOINIT-CANARY-CHECK %s %s %s", kind, subject, status)
	if detail != "" {
		line += " " + detail
	}
	c.con.Line(line)
}

func (c *checker) run(ch check) {
	switch ch.Kind {
	case "sha256":
		c.sha256(ch.Arg)
	case "write":
		c.write(ch.Arg)
	case "cat":
		c.cat(ch.Arg)
	case "run":
		c.runProgram(ch.Arg)
	case "sleep":
		c.sleep(ch.Arg)
	default:
		c.result(ch.Kind, ch.Arg, "error", fmt.Sprintf("unknown check canary.%s (want sha256, write, cat, run or sleep)", ch.Kind))
	}
}

// parseSHA256Spec splits canary.sha256=<path>:<hex>.
func parseSHA256Spec(arg string) (path string, sum []byte, err error) {
	i := strings.LastIndexByte(arg, ':')
	if i <= 0 {
		return "", nil, fmt.Errorf("parse canary.sha256=%q: want <path>:<64 hex digits>", arg)
	}
	path, digits := arg[:i], arg[i+1:]
	sum, err = hex.DecodeString(digits)
	if err != nil || len(sum) != sha256.Size {
		return "", nil, fmt.Errorf("parse canary.sha256=%q: want <path>:<64 hex digits>, got %q after the last ':'", arg, digits)
	}
	return path, sum, nil
}

func (c *checker) sha256(arg string) {
	path, want, err := parseSHA256Spec(arg)
	if err != nil {
		c.result("sha256", arg, "error", err.Error())
		return
	}
	f, err := os.Open(path)
	if err != nil {
		c.result("sha256", path, "error", err.Error())
		return
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		c.result("sha256", path, "error", fmt.Sprintf("read %s: %v", path, err))
		return
	}
	got := h.Sum(nil)
	if !bytes.Equal(got, want) {
		c.result("sha256", path, "mismatch", fmt.Sprintf("got=%x want=%x", got, want))
		return
	}
	c.result("sha256", path, "ok", "")
}

func (c *checker) write(path string) {
	data := []byte(fmt.Sprintf("goinit canary write check pid=%d time=%d\n", os.Getpid(), time.Now().UnixNano()))
	if err := writeSynced(path, data); err != nil {
		c.result("write", path, "failed", err.Error())
		return
	}
	back, err := os.ReadFile(path)
	if err != nil {
		c.result("write", path, "failed", fmt.Sprintf("read back: %v", err))
		return
	}
	if !bytes.Equal(back, data) {
		c.result("write", path, "failed", fmt.Sprintf("read back %q, wrote %q", back, data))
		return
	}
	c.result("write", path, "ok", "")
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

func (c *checker) cat(path string) {
	f, err := os.Open(path)
	if err != nil {
		c.result("cat", path, "error", err.Error())
		return
	}
	defer f.Close()
	n, err := c.printLines("GOINIT-CANARY-CAT ", f)
	if err != nil {
		c.result("cat", path, "error", fmt.Sprintf("read %s: %v", path, err))
		return
	}
	c.result("cat", path, "ok", fmt.Sprintf("bytes=%d", n))
}

// printLines copies r to the console line by line, each with prefix, up to maxOutput bytes.
func (c *checker) printLines(prefix string, r io.Reader) (int64, error) {
	br := bufio.NewReader(r)
	var n int64
	for {
		line, err := br.ReadString('\n')
		n += int64(len(line))
		if line != "" && (c.maxOutput <= 0 || n <= int64(c.maxOutput)) {
			c.con.Line(prefix + strings.TrimRight(line, "\r\n"))
		}
		if errors.Is(err, io.EOF) {
			if c.maxOutput > 0 && n > int64(c.maxOutput) {
				c.con.Line(fmt.Sprintf("%s[truncated: %d bytes, printed up to %d]", prefix, n, c.maxOutput))
			}
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// runProgram runs canary.run=<path>[ <args>…] (quote the value to give arguments) and prints
// its combined output and exit code.
func (c *checker) runProgram(arg string) {
	argv := strings.Fields(arg)
	if len(argv) == 0 {
		c.result("run", `""`, "error", "parse canary.run=\"\": want a program path, e.g. canary.run=/check.sh")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = []string{"PATH=/sbin:/bin:/usr/sbin:/usr/bin", "HOME=/root", "TERM=dumb"}
	cmd.Dir = "/"
	cmd.Stdin = strings.NewReader("") // a nil Stdin would need /dev/null, which a bare root lacks
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	c.printLines("GOINIT-CANARY-OUT ", &out) //nolint:errcheck // a bytes.Buffer read cannot fail
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		c.result("run", argv[0], "failed", fmt.Sprintf("timeout after %s", c.runTimeout))
	case errors.As(err, &exit):
		c.result("run", argv[0], "failed", fmt.Sprintf("exit=%d", exit.ExitCode()))
	case err != nil:
		c.result("run", argv[0], "error", err.Error())
	default:
		c.result("run", argv[0], "ok", "exit=0")
	}
}

// maxSleep bounds canary.sleep=, so a typo cannot hold a test guest for long.
const maxSleep = time.Minute

// sleep pauses for canary.sleep=<Go duration> (at most maxSleep), so that work the booted
// system does in the background (goinit freeing the initramfs at idle priority) can finish
// before a later check looks at its effect.
func (c *checker) sleep(arg string) {
	d, err := time.ParseDuration(arg)
	if err != nil || d <= 0 || d > maxSleep {
		c.result("sleep", arg, "error", fmt.Sprintf("parse canary.sleep=%q: want a Go duration from 1ms to %s, e.g. 2s", arg, maxSleep))
		return
	}
	time.Sleep(d)
	c.result("sleep", arg, "ok", "")
}
