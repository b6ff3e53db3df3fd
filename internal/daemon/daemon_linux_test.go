package daemon

import (
	"io"
	"os"
	"strings"
	"testing"
)

func TestStartPassesExtraFilesAndSession(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// The child reports, on fd 3, whether it leads its own session ($$ is its session id).
	pid, err := Start("/bin/sh", []string{"sh", "-c", `echo "pid=$$ sid=$(cut -d' ' -f6 /proc/$$/stat)" >&3`}, nil, w)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(got))
	f := strings.Fields(line)
	if len(f) != 2 || f[0] != "pid="+strings.TrimPrefix(f[1], "sid=") || f[0] == "pid=" {
		t.Errorf("child %d wrote %q on fd 3, want its pid equal to its session id", pid, line)
	}
	if p, err := os.FindProcess(pid); err == nil {
		p.Wait() //nolint:errcheck // reap the child in the test
	}
}

func TestStartNamesTheMissingProgram(t *testing.T) {
	_, err := Start("/nonexistent/goinit", []string{"@helper"}, nil)
	if err == nil || !strings.Contains(err.Error(), "start /nonexistent/goinit @helper: ") {
		t.Fatalf("error %v, want it to name the program and argv[0]", err)
	}
}
