package main

import "testing"

func TestIsSupervisor(t *testing.T) {
	tests := []struct {
		argv0 string
		want  bool
	}{
		{"@goinit-nbd0", true},
		{"@goinit-nbd12", true},
		{"/proc/self/exe", false},
		{"/init", false},
		{"goinit-nbd0", false}, // without '@' systemd's shutdown would kill it: not ours
		{"/lib/goinit/modprobe", false},
	}
	for _, tt := range tests {
		if got := isSupervisor(tt.argv0); got != tt.want {
			t.Errorf("isSupervisor(%q) = %v, want %v", tt.argv0, got, tt.want)
		}
	}
}
