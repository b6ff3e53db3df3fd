// Package console is goinit's logger: every line goes to the console first and is copied to
// /dev/kmsg, so dmesg in the booted system keeps the story of the initramfs stage.
package console

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Logger writes timestamped lines. It is safe for concurrent use.
type Logger struct {
	mu      sync.Mutex
	out     io.Writer // the console
	kmsg    io.Writer // /dev/kmsg, may be nil
	start   time.Time
	debug   bool
	history []string // every line, for the debug shell summary
}

// New returns a logger that writes to out (and kmsg when non-nil). Times are relative to start.
func New(out, kmsg io.Writer, start time.Time) *Logger {
	return &Logger{out: out, kmsg: kmsg, start: start}
}

// SetDebug turns debug lines on or off.
func (l *Logger) SetDebug(on bool) {
	l.mu.Lock()
	l.debug = on
	l.mu.Unlock()
}

// Debugging reports whether debug lines are shown.
func (l *Logger) Debugging() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.debug
}

// Printf logs one message; a message with several lines is logged line by line.
func (l *Logger) Printf(format string, args ...any) {
	l.write(false, fmt.Sprintf(format, args...))
}

// Debugf logs only when debug output is on (rd.debug, goinit.log=debug); kmsg always gets it.
func (l *Logger) Debugf(format string, args ...any) {
	l.write(true, fmt.Sprintf(format, args...))
}

// Raw writes text to the console as it is, without a prefix (tables, the timeline).
func (l *Logger) Raw(text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.out, text)
}

func (l *Logger) write(debug bool, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	el := time.Since(l.start).Seconds()
	for _, line := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
		text := fmt.Sprintf("[%6.3f] goinit: %s", el, line)
		if !debug || l.debug {
			io.WriteString(l.out, text+"\n")
		}
		if l.kmsg != nil {
			// Facility user, level debug: kept in dmesg, not echoed to the console a second time.
			io.WriteString(l.kmsg, "<15>goinit: "+line+"\n")
		}
		l.history = append(l.history, text)
	}
}

// Open opens the console for writing (falling back to stderr) and /dev/kmsg when it exists.
func Open(start time.Time) *Logger {
	var out io.Writer = os.Stderr
	if f, err := os.OpenFile("/dev/console", os.O_WRONLY, 0); err == nil {
		out = f
	}
	var kmsg io.Writer
	if f, err := os.OpenFile("/dev/kmsg", os.O_WRONLY, 0); err == nil {
		kmsg = f
	}
	return New(out, kmsg, start)
}
