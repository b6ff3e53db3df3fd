package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goinit/goinit/boot"
)

// busyboxAwk runs `busybox awk -f prog input` on the host: the same awk the guest runs.
func busyboxAwk(t *testing.T, prog, input string) string {
	t.Helper()
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("busybox not installed (package busybox-static)")
	}
	dir := t.TempDir()
	p, in := filepath.Join(dir, "prog.awk"), filepath.Join(dir, "input")
	if err := os.WriteFile(p, []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bb, "awk", "-f", p, in).CombinedOutput()
	if err != nil {
		t.Fatalf("busybox awk: %v\n%s", err, out)
	}
	return string(out)
}

// TestTimelineAwk feeds the awk program a timeline written by goinit's own boot.Timeline, so a
// change of the JSON layout breaks this test rather than the demo.
func TestTimelineAwk(t *testing.T) {
	start := time.Now().Add(-10 * time.Second)
	tl := boot.NewTimeline(start, 1.25)
	tl.Add("load the module index", "setup", start.Add(2*time.Millisecond), nil)
	tl.Add(`attach nbd 10.99.0.1:10809 "root" <a> & b`, "attach", start.Add(1500*time.Millisecond), nil)
	tl.Add("mount the root on /newroot with a name far too long for one console line", "mount", start.Add(3*time.Second), errors.New(`mount "x": no such device`))
	js, err := tl.JSON()
	if err != nil {
		t.Fatal(err)
	}
	out := busyboxAwk(t, timelineAwk, string(js)+"\n")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	want := []string{
		`^       start       took  stage     step$`,
		`^      2\.0 ms [ \d]{5}\.\d ms  setup     load the module index$`,
		`^   1500\.0 ms [ \d]{5}\.\d ms  attach    attach nbd 10\.99\.0\.1:10809 "root" <a> & b$`,
		`^   3000\.0 ms [ \d]{5}\.\d ms  mount     mount the root on /newroot with a name fa\.\.\.$`,
		`^ {36}FAILED: mount "x": no such device$`,
		`^  goinit: 3 steps in \d+\.\d ms, started 1\.25 s after the kernel$`,
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(lines[i]) {
			t.Errorf("line %d = %q, want match for %s", i, lines[i], w)
		}
	}
}

func TestTimelineAwkEmpty(t *testing.T) {
	out := busyboxAwk(t, timelineAwk, "{\n  \"steps\": null\n}\n")
	if out != "  (no steps in the timeline)\n" {
		t.Errorf("empty timeline printed %q", out)
	}
}

func TestRootAwk(t *testing.T) {
	tests := []struct {
		name, mounts, want string
	}{
		{"nfs overlay", "rootfs / rootfs rw 0 0\n10.99.0.1:/export /run/goinit/lower nfs ro,vers=3 0 0\noverlay / overlay rw,lowerdir=/run/goinit/lower 0 0\nproc /proc proc rw 0 0\n", "10.99.0.1:/export yes\n"},
		{"aoe overlay", "/dev/etherd/e7.1 /run/goinit/lower ext4 ro 0 0\noverlay / overlay rw 0 0\n", "/dev/etherd/e7.1 yes\n"},
		{"pivot overlay", "tmpfs /initrd tmpfs rw 0 0\n/dev/vda /initrd/mnt ext4 ro 0 0\noverlay / overlay rw 0 0\n", "/dev/vda yes\n"},
		{"plain nfs", "10.99.0.1:/export / nfs4 ro 0 0\n", "10.99.0.1:/export no\n"},
		{"overlay without a known lower", "overlay / overlay rw 0 0\n", "overlay yes\n"},
		{"no root line", "proc /proc proc rw 0 0\n", " no\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := busyboxAwk(t, rootAwk, tt.mounts); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestGuestInitRefusesNonPID1 runs the init script's guard only: everything up to the PID check,
// which must end the script on the host.
func TestGuestInitGuard(t *testing.T) {
	i := strings.Index(guestInit, "\nfi\n")
	if i < 0 || !strings.Contains(guestInit[:i], `if [ "$$" != 1 ]`) {
		t.Fatalf("guestInit does not start with the PID 1 guard")
	}
	if strings.Index(guestInit, "poweroff") < i {
		t.Fatalf("guestInit powers off before its PID 1 guard")
	}
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("busybox not installed")
	}
	out, err := exec.Command(bb, "sh", "-c", guestInit[:i+4]+"echo passed-guard\n").CombinedOutput()
	if err == nil || strings.Contains(string(out), "passed-guard") {
		t.Fatalf("guard did not stop a non-PID-1 run: err %v, output %q", err, out)
	}
}
