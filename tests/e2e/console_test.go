//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"
)

// csiSeq matches an ANSI control sequence (ESC [ parameters final-byte). SeaBIOS's serial
// console mirror sends cursor moves between characters when it catches up with the screen,
// so a firmware or PXELINUX message can arrive with them inside; waits match the text without.
var csiSeq = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]`)

// consoleText is a raw console line as the waits see it: no CR, no control sequences.
func consoleText(raw []byte) string {
	return csiSeq.ReplaceAllString(strings.TrimRight(string(raw), "\r"), "")
}

// printkInside finds a kernel log record (CONFIG_PRINTK_TIME: "[    5.177504] ") that starts
// inside a line. The kernel writes its records to the UART directly, each whole and ending in
// a newline, while a program's output goes through the tty: a record can land between any two
// bytes of a program's line, e.g. "GOINIT-CANARY-CHECK sha256 /x ok[    5.177504] IPv6: …"
// followed by the rest of the program's line on its own.
var printkInside = regexp.MustCompile(printkRecord)

// printkRecord is the start of a kernel log record on the console (CONFIG_PRINTK_TIME).
const printkRecord = `\[ *\d+\.\d{6}\] `

// consoleLine is one line of the serial console and when it arrived (since QEMU started).
type consoleLine struct {
	At   time.Duration
	Text string
}

// consoleLog collects the serial console line by line: in memory for the waits, and into a log
// file with arrival times.
type consoleLog struct {
	start time.Time
	file  *os.File

	mu      sync.Mutex
	lines   []consoleLine
	partial []byte
	held    string        // a program's line cut by a kernel record: its start, until the rest comes
	done    bool          // the console reached EOF: QEMU is gone
	notify  chan struct{} // closed and replaced at every change
}

func newConsoleLog(file *os.File) *consoleLog {
	return &consoleLog{file: file, notify: make(chan struct{}), start: time.Now()}
}

// feed adds console bytes; complete lines go to the log file.
func (c *consoleLog) feed(b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	at := time.Since(c.start)
	c.partial = append(c.partial, b...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		text := consoleText(c.partial[:i])
		c.partial = c.partial[i+1:]
		loc := printkInside.FindStringIndex(text)
		if loc != nil && loc[0] > 0 {
			// A kernel record inside a program's line: the record is a line of its own, and
			// the program's line continues on the next line that is not another record.
			c.held += text[:loc[0]]
			c.add(at, text[loc[0]:])
			continue
		}
		if c.held != "" && loc == nil {
			text, c.held = c.held+text, ""
		}
		c.add(at, text)
	}
	c.changed()
}

func (c *consoleLog) add(at time.Duration, text string) {
	c.lines = append(c.lines, consoleLine{At: at, Text: text})
	if c.file != nil {
		fmt.Fprintf(c.file, "[%8.3f] %s\n", at.Seconds(), text)
	}
}

// finish marks the end of the console; a last unterminated line becomes a line.
func (c *consoleLog) finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.partial) > 0 || c.held != "" {
		c.add(time.Since(c.start), c.held+consoleText(c.partial))
		c.partial, c.held = nil, ""
	}
	c.done = true
	c.changed()
}

func (c *consoleLog) changed() {
	close(c.notify)
	c.notify = make(chan struct{})
}

// snapshot returns the lines so far, the unterminated last line, whether the console ended, and
// a channel closed at the next change.
func (c *consoleLog) snapshot() ([]consoleLine, string, bool, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lines[:len(c.lines):len(c.lines)], c.held + consoleText(c.partial), c.done, c.notify
}

// tail formats the last n lines (and the unterminated one) for a failure message.
func (c *consoleLog) tail(n int) string {
	lines, partial, _, _ := c.snapshot()
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "  [%7.3f] %s\n", l.At.Seconds(), l.Text)
	}
	if partial != "" {
		fmt.Fprintf(&b, "  [ partial] %s\n", partial)
	}
	if b.Len() == 0 {
		return "  (no console output)\n"
	}
	return b.String()
}
