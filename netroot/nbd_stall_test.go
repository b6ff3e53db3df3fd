package netroot

import (
	"testing"
	"time"
)

func TestNBDStallJudge(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	type look struct {
		at        float64
		inflight  int
		sinceData float64 // seconds
		want      bool
	}
	tests := []struct {
		name  string
		grace float64 // newSocket at 0 with this grace
		looks []look
	}{
		{"idle connection is never stalled", 0, []look{{0, 0, 0, false}, {60, 0, 60, false}}},
		{"data flowing while requests wait", 0, []look{{0, 2, 0, false}, {20, 2, 0.5, false}, {40, 1, 1, false}}},
		{"silence with requests in flight", 0, []look{{0, 1, 0, false}, {9, 1, 9, false}, {10, 1, 10, true}}},
		{"verdict once per socket", 0, []look{{0, 1, 0, false}, {10, 1, 10, true}, {11, 1, 11, false}, {30, 1, 30, false}}},
		// A request sent after a long idle time: the socket's silence is old, the wait is not.
		{"new request after idle", 0, []look{{0, 0, 0, false}, {100, 1, 100, false}, {105, 1, 105, false}, {110, 1, 110, true}}},
		{"requests done in between", 0, []look{{0, 1, 0, false}, {6, 0, 6, false}, {12, 1, 12, false}, {22, 1, 22, true}}},
		// A replacement: the old connection's requests move over only at their timeout.
		{"grace after a replacement", 30, []look{{0, 1, 0, false}, {20, 1, 20, false}, {39, 1, 39, false}, {40, 1, 40, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := nbdStallJudge{after: 10 * time.Second}
			j.newSocket(t0, time.Duration(tt.grace*float64(time.Second)))
			for _, l := range tt.looks {
				got := j.look(at(l.at), l.inflight, time.Duration(l.sinceData*float64(time.Second)))
				if got != l.want {
					t.Errorf("look at %gs (%d in flight, no data for %gs) = %v, want %v", l.at, l.inflight, l.sinceData, got, l.want)
				}
			}
		})
	}
}

func TestNBDStallJudgeNewSocketRearms(t *testing.T) {
	t0 := time.Unix(1000, 0)
	j := nbdStallJudge{after: 10 * time.Second}
	j.newSocket(t0, 0)
	j.look(t0, 1, 0)
	if !j.look(t0.Add(10*time.Second), 1, 10*time.Second) {
		t.Fatal("no verdict on a 10 s silence")
	}
	j.newSocket(t0.Add(12*time.Second), 5*time.Second)
	if j.look(t0.Add(26*time.Second), 1, 14*time.Second) {
		t.Error("verdict on the new socket within its grace and stall time")
	}
	if !j.look(t0.Add(27*time.Second), 1, 15*time.Second) {
		t.Error("no verdict on the new socket after grace and stall time")
	}
}

func TestNBDParseInflight(t *testing.T) {
	tests := []struct {
		in   string
		want int
		err  string
	}{
		{"       0        0\n", 0, ""},
		{"       3        1\n", 4, ""},
		{"", 0, `inflight "": expected two counts`},
		{"1 x\n", 0, `inflight "1 x": expected two counts`},
		{"1 -1", 0, `inflight "1 -1": expected two counts`},
		{"1 2 3", 0, `inflight "1 2 3": expected two counts`},
	}
	for _, tt := range tests {
		got, err := nbdParseInflight(tt.in)
		errs := ""
		if err != nil {
			errs = err.Error()
		}
		if got != tt.want || errs != tt.err {
			t.Errorf("nbdParseInflight(%q) = %d, %q; want %d, %q", tt.in, got, errs, tt.want, tt.err)
		}
	}
}
