package fsprobe

import (
	"bytes"
	"errors"
	"testing"
)

func TestWindowRead(t *testing.T) {
	data := make([]byte, 3*blockSize+100)
	for i := range data {
		data[i] = byte(i / 7)
	}
	tests := []struct {
		name     string
		size     int64
		budget   int64
		off      int64
		n        int
		wantErr  error
		wantRead int64 // bytes read from the device
	}{
		{"inside one block", int64(len(data)), MaxProbeRead, 10, 100, nil, blockSize},
		{"across two blocks", int64(len(data)), MaxProbeRead, blockSize - 10, 20, nil, 2 * blockSize},
		{"the partial last block", int64(len(data)), MaxProbeRead, 3 * blockSize, 100, nil, 100},
		{"one byte past the end", int64(len(data)), MaxProbeRead, 3 * blockSize, 101, errShort, 0},
		{"negative offset", int64(len(data)), MaxProbeRead, -1, 1, errShort, 0},
		{"negative length", int64(len(data)), MaxProbeRead, 0, -1, errShort, 0},
		{"over the budget", int64(len(data)), blockSize, blockSize - 10, 20, errShort, blockSize},
		{"empty read at the end", int64(len(data)), MaxProbeRead, int64(len(data)), 0, nil, 0},
		{"size smaller than the data", 1000, MaxProbeRead, 900, 100, nil, 1000},
		{"beyond a claimed size", 1000, MaxProbeRead, 900, 101, errShort, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &checkedReader{t: t, r: bytes.NewReader(data), size: tc.size}
			w := newWindow(r, tc.size, tc.budget)
			got, err := w.read(tc.off, tc.n)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if err == nil && !bytes.Equal(got, data[tc.off:tc.off+int64(tc.n)]) {
				t.Errorf("read returned the wrong bytes")
			}
			if r.read != tc.wantRead {
				t.Errorf("device reads %d bytes, want %d", r.read, tc.wantRead)
			}
		})
	}
}

// TestWindowCaches: the same block is read from the device once.
func TestWindowCaches(t *testing.T) {
	data := make([]byte, 2*blockSize)
	r := &checkedReader{t: t, r: bytes.NewReader(data), size: int64(len(data))}
	w := newWindow(r, int64(len(data)), MaxProbeRead)
	for _, off := range []int64{0, 1024, 2048, 0} {
		if _, err := w.read(off, 512); err != nil {
			t.Fatal(err)
		}
	}
	if r.read != blockSize {
		t.Errorf("device reads %d bytes, want %d", r.read, blockSize)
	}
}
