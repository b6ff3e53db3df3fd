package console

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestLoggerWritesConsoleAndKmsg(t *testing.T) {
	var out, kmsg bytes.Buffer
	l := New(&out, &kmsg, time.Now())
	l.Printf("mount %s: %v", "/dev/vda", "ok\nsecond line")
	l.Debugf("hidden on the console")
	if got := strings.Count(out.String(), "\n"); got != 2 {
		t.Fatalf("console got %d lines, want 2:\n%s", got, out.String())
	}
	if !strings.Contains(out.String(), "goinit: mount /dev/vda: ok\n") || !strings.Contains(out.String(), "goinit: second line\n") {
		t.Fatalf("console text wrong:\n%s", out.String())
	}
	if strings.Contains(out.String(), "hidden") {
		t.Fatalf("debug line reached the console without debug on:\n%s", out.String())
	}
	if !strings.Contains(kmsg.String(), "<15>goinit: hidden on the console\n") {
		t.Fatalf("kmsg lacks the debug line:\n%s", kmsg.String())
	}
	l.SetDebug(true)
	l.Debugf("now shown")
	if !strings.Contains(out.String(), "goinit: now shown") {
		t.Fatalf("debug line missing with debug on:\n%s", out.String())
	}
}
