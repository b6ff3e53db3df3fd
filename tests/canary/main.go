// Command canary is the /sbin/init of the end-to-end tests' root filesystems. It reports how it
// was started and what "/" is, runs the checks named by canary.* kernel parameters, and powers
// the machine off. It never hangs: when power-off fails it says why and sleeps forever.
//
// Output lines (all on /dev/console, else stdout):
//
//	GOINIT-CANARY pid=<pid> argv=<json> root=<rw|ro> fstype=<type> source=<source>
//	GOINIT-CANARY-CHECK <kind> <subject> <ok|mismatch|failed|error>[ <detail>]
//	GOINIT-CANARY-CAT <line>        (canary.cat=<path>)
//	GOINIT-CANARY-OUT <line>        (canary.run=<path>)
//	GOINIT-CANARY-UPTIME <seconds>
//	GOINIT-CANARY-DONE
//
// Checks, repeatable, run in command line order: canary.sha256=<path>:<hex>,
// canary.write=<path>, canary.cat=<path>, canary.run=<path> (or canary.run="<path> <args>…"),
// canary.sleep=<Go duration> (a pause, at most 1m, for background work to finish).
// canary.runtimeout=<Go duration> bounds each canary.run program (default 1m).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	con := openConsole()
	if err := ensureProc(); err != nil {
		con.Line("GOINIT-CANARY-WARN " + err.Error())
	}
	root, err := readRoot()
	if err != nil {
		con.Line("GOINIT-CANARY-WARN " + err.Error())
	}
	con.Line(markerLine(os.Getpid(), os.Args, root))

	cmdline, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		con.Line("GOINIT-CANARY-WARN read /proc/cmdline: " + err.Error())
	}
	params, _ := splitCmdline(string(cmdline))
	c := &checker{con: con, runTimeout: runTimeoutFrom(params, 60*time.Second), maxOutput: 64 << 10}
	for _, ch := range checksFrom(params) {
		c.run(ch)
	}

	if up, err := os.ReadFile("/proc/uptime"); err == nil {
		if f := strings.Fields(string(up)); len(f) > 0 {
			con.Line("GOINIT-CANARY-UPTIME " + f[0])
		}
	}
	con.Line("GOINIT-CANARY-DONE")

	if os.Getpid() != 1 {
		con.Line(fmt.Sprintf("GOINIT-CANARY-WARN not PID 1 (pid %d): not powering off", os.Getpid()))
		return
	}
	err = powerOff()
	con.Line(fmt.Sprintf("GOINIT-CANARY-WARN power off failed: %v; sleeping forever", err))
	for {
		time.Sleep(time.Hour)
	}
}

// readRoot describes "/" from /proc/self/mountinfo; on error the fields say "?".
func readRoot() (rootMount, error) {
	unknown := rootMount{FSType: "?", Source: "?"}
	text, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return unknown, err
	}
	r, err := parseRootMount(string(text))
	if err != nil {
		return unknown, err
	}
	return r, nil
}

// markerLine formats the canary's first line.
func markerLine(pid int, argv []string, r rootMount) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if argv == nil {
		argv = []string{}
	}
	enc.Encode(argv) //nolint:errcheck // a []string always encodes
	mode := "rw"
	if r.ReadOnly {
		mode = "ro"
	}
	return fmt.Sprintf("GOINIT-CANARY pid=%d argv=%s root=%s fstype=%s source=%s",
		pid, strings.TrimSpace(b.String()), mode, r.FSType, r.Source)
}
