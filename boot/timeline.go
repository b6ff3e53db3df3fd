package boot

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Entry is one step of the boot as the timeline keeps it.
type Entry struct {
	Name     string        `json:"name"`
	Stage    string        `json:"stage"`
	Start    time.Duration `json:"-"`
	Duration time.Duration `json:"-"`
	StartMS  float64       `json:"start_ms"`
	DurMS    float64       `json:"duration_ms"`
	Error    string        `json:"error,omitempty"`
}

// Timeline records when each step started and how long it took.
type Timeline struct {
	mu      sync.Mutex
	start   time.Time
	uptime  float64 // seconds since the kernel started, when goinit started
	entries []Entry
}

// NewTimeline starts a timeline at start; uptime is the kernel's uptime at that moment.
func NewTimeline(start time.Time, uptime float64) *Timeline {
	return &Timeline{start: start, uptime: uptime}
}

// Add records a finished step.
func (t *Timeline) Add(name, stage string, began time.Time, err error) Entry {
	e := Entry{Name: name, Stage: stage, Start: began.Sub(t.start), Duration: time.Since(began)}
	e.StartMS = float64(e.Start.Microseconds()) / 1000
	e.DurMS = float64(e.Duration.Microseconds()) / 1000
	if err != nil {
		e.Error = err.Error()
	}
	t.mu.Lock()
	t.entries = append(t.entries, e)
	t.mu.Unlock()
	return e
}

// Entries returns a copy of the steps so far.
func (t *Timeline) Entries() []Entry {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Entry(nil), t.entries...)
}

// StageTotals sums the durations per stage, in the order the stages first appeared.
func (t *Timeline) StageTotals() ([]string, map[string]time.Duration) {
	var order []string
	sum := map[string]time.Duration{}
	for _, e := range t.Entries() {
		if _, ok := sum[e.Stage]; !ok {
			order = append(order, e.Stage)
		}
		sum[e.Stage] += e.Duration
	}
	return order, sum
}

type timelineFile struct {
	KernelUptimeAtStart float64 `json:"kernel_uptime_at_start_s"`
	TotalMS             float64 `json:"total_ms"`
	Steps               []Entry `json:"steps"`
}

// JSON renders the timeline for /run/goinit/timeline.json.
func (t *Timeline) JSON() ([]byte, error) {
	f := timelineFile{
		KernelUptimeAtStart: t.uptime,
		TotalMS:             float64(time.Since(t.start).Microseconds()) / 1000,
		Steps:               t.Entries(),
	}
	return json.MarshalIndent(f, "", "  ")
}

// WriteFile writes the JSON timeline to path, creating its directory.
func (t *Timeline) WriteFile(path string) error {
	b, err := t.JSON()
	if err != nil {
		return fmt.Errorf("write timeline %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write timeline %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write timeline %s: %w", path, err)
	}
	return nil
}

// Table renders the timeline as text that fits an 80-column console.
func (t *Timeline) Table() string {
	var b strings.Builder
	b.WriteString("  start(s)   took(s)  step\n")
	for _, e := range t.Entries() {
		name := e.Name
		if len(name) > 58 {
			name = name[:55] + "..."
		}
		mark := ""
		if e.Error != "" {
			mark = "  FAILED"
		}
		fmt.Fprintf(&b, "  %8.3f  %8.3f  %s%s\n", e.Start.Seconds(), e.Duration.Seconds(), name, mark)
	}
	return b.String()
}
