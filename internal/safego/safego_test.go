package safego

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestDoRecoversAndReports(t *testing.T) {
	var got string
	err := Do("dhcp eth0", func(f string, a ...any) { got = fmt.Sprintf(f, a...) }, func() {
		var m map[string]int
		m["x"] = 1 // a nil map write: a runtime panic
	})
	if err == nil || err.Error() != "dhcp eth0: panic: assignment to entry in nil map" {
		t.Errorf("error = %v", err)
	}
	if !strings.HasPrefix(got, "dhcp eth0: panic: assignment to entry in nil map (recovered; the boot goes on)\n") || !strings.Contains(got, "safego_test.go") {
		t.Errorf("report = %q, want the error and a stack naming the panicking file", got)
	}
	if err := Do("fine", nil, func() {}); err != nil {
		t.Errorf("Do without a panic = %v", err)
	}
}

func TestGoDoesNotEndTheProcess(t *testing.T) {
	var wg sync.WaitGroup
	wg.Add(1)
	var mu sync.Mutex
	var reports int
	Go("worker", func(string, ...any) { mu.Lock(); reports++; mu.Unlock(); wg.Done() }, func() { panic("boom") })
	wg.Wait()
	if reports != 1 {
		t.Errorf("reports = %d, want 1", reports)
	}
}
