package fsprobe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Fuzz inputs describe a sparse device, so that seeds from real images stay small while
// signatures can sit far apart (btrfs at 64 KiB, a GPT backup at the end):
//
//	size  uint32 LE        device size in bytes
//	then records: off uint32 LE, n uint16 LE, n bytes of data at off
//
// A truncated record keeps the bytes that are there; data beyond size is dropped.
type sparseDev struct {
	size int64
	segs []sparseSeg
}

type sparseSeg struct {
	off  int64
	data []byte
}

func decodeSparse(in []byte) *sparseDev {
	d := &sparseDev{}
	if len(in) < 4 {
		d.size = int64(len(in))
		d.segs = []sparseSeg{{0, in}}
		return d
	}
	d.size = int64(binary.LittleEndian.Uint32(in))
	in = in[4:]
	for len(in) >= 6 {
		off := int64(binary.LittleEndian.Uint32(in))
		n := int(binary.LittleEndian.Uint16(in[4:]))
		in = in[6:]
		n = min(n, len(in))
		d.segs = append(d.segs, sparseSeg{off, in[:n]})
		in = in[n:]
	}
	return d
}

func (d *sparseDev) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= d.size {
		return 0, io.EOF
	}
	n := len(p)
	if int64(n) > d.size-off {
		n = int(d.size - off)
	}
	clear(p[:n])
	for _, s := range d.segs {
		lo, hi := max(off, s.off), min(off+int64(n), s.off+int64(len(s.data)))
		if lo < hi {
			copy(p[lo-off:hi-off], s.data[lo-s.off:hi-s.off])
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// encodeSparse keeps the non-zero runs of data (an image's first bytes or any region given
// with its offset) in the fuzz input format.
func encodeSparse(size int64, regions ...sparseSeg) []byte {
	out := binary.LittleEndian.AppendUint32(nil, uint32(size))
	for _, r := range regions {
		b := r.data
		for i := 0; i < len(b); {
			if b[i] == 0 {
				i++
				continue
			}
			j, zeros := i, 0
			for j < len(b) && j-i < 0xffff && zeros < 32 {
				if b[j] == 0 {
					zeros++
				} else {
					zeros = 0
				}
				j++
			}
			end := j - zeros
			out = binary.LittleEndian.AppendUint32(out, uint32(r.off+int64(i)))
			out = binary.LittleEndian.AppendUint16(out, uint16(end-i))
			out = append(out, b[i:end]...)
			i = j
		}
	}
	return out
}

// sparseSeed encodes the first n bytes of an image file and, for partition tables, its last
// tail bytes.
func sparseSeed(t *testing.T, path string, tail int64, n int64) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	size := st.Size()
	head := make([]byte, min(n, size))
	if _, err := f.ReadAt(head, 0); err != nil {
		t.Fatal(err)
	}
	regions := []sparseSeg{{0, head}}
	if tail > 0 && size > n {
		start := max(n, size-tail)
		b := make([]byte, size-start)
		if _, err := f.ReadAt(b, start); err != nil {
			t.Fatal(err)
		}
		regions = append(regions, sparseSeg{start, b})
	}
	return encodeSparse(size, regions...)
}

// writeSeed writes a seed in the `go test fuzz v1` corpus format for a target with one
// []byte argument.
func writeSeed(t *testing.T, target, name string, data []byte) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzProbe: no panic, no read outside the device, no more than MaxProbeRead bytes read, and
// a result always has a type.
func FuzzProbe(f *testing.F) {
	f.Add([]byte{})
	f.Add(encodeSparse(64<<10+4096, sparseSeg{64<<10 + 0x40, []byte("_BHRfS_M")}))
	f.Add(encodeSparse(8192, sparseSeg{1024 + 0x38, []byte{0x53, 0xEF}}))
	f.Add(encodeSparse(1<<20, sparseSeg{0, []byte("XFSB")}))
	f.Add(encodeSparse(1<<20, sparseSeg{510, []byte{0x55, 0xAA}}))
	f.Add(encodeSparse(40<<10, sparseSeg{32768, []byte("\x01CD001\x01")}))
	f.Fuzz(func(t *testing.T, in []byte) {
		dev := decodeSparse(in)
		r := &checkedReader{t: t, r: dev, size: dev.size}
		fs, err := Probe(r, dev.size)
		if r.read > MaxProbeRead {
			t.Errorf("read %d bytes, more than MaxProbeRead", r.read)
		}
		if err != nil {
			if !errors.Is(err, ErrUnknown) {
				t.Errorf("error %v is not ErrUnknown (the device cannot fail)", err)
			}
			return
		}
		if fs == nil || fs.Type == "" {
			t.Errorf("Probe = %+v with no error", fs)
		}
	})
}

// FuzzPartitions: the first byte picks the sector size (512 << (b % 4)), the rest is a sparse
// device. No panic, no read outside the device, and partitions never start before the
// table's first sector or have a zero size.
func FuzzPartitions(f *testing.F) {
	f.Add([]byte{0})
	f.Add(append([]byte{0}, encodeSparse(1<<20, sparseSeg{510, []byte{0x55, 0xAA}}, sparseSeg{446 + 4, []byte{0xEE}})...))
	f.Add(append([]byte{0}, encodeSparse(1<<20, sparseSeg{510, []byte{0x55, 0xAA}}, sparseSeg{446, []byte{0x80, 0, 0, 0, 0x05, 0, 0, 0, 1, 0, 0, 0, 0x40, 0, 0, 0}})...))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		ss := 512 << (in[0] % 4)
		dev := decodeSparse(in[1:])
		r := &checkedReader{t: t, r: dev, size: dev.size}
		parts, err := Partitions(r, dev.size, ss)
		if r.read > 4<<20 {
			t.Errorf("read %d bytes for one partition table", r.read)
		}
		if err != nil {
			if !errors.Is(err, ErrNoTable) {
				t.Errorf("error %v is not ErrNoTable (the device cannot fail)", err)
			}
			return
		}
		for _, p := range parts {
			if p.Number < 1 || p.Size <= 0 || p.Start < 0 || p.PartUUID == "" || p.Type == "" {
				t.Errorf("bad partition %+v", p)
			}
		}
	})
}

// readSeed reads a `go test fuzz v1` file holding one []byte value.
func readSeed(t *testing.T, path string) []byte {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := strings.CutPrefix(strings.TrimSpace(string(body)), "go test fuzz v1\n[]byte(")
	s, ok2 := strings.CutSuffix(s, ")")
	if !ok || !ok2 {
		t.Fatalf("%s: not a one-[]byte fuzz seed", path)
	}
	v, err := strconv.Unquote(s)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(v)
}

// TestFuzzProbeSeeds: every FuzzProbe seed (the first bytes of a real image) must still be
// recognised as what its image was, so the seeds stay meaningful for the fuzzer.
func TestFuzzProbeSeeds(t *testing.T) {
	cases := map[string]imageCase{}
	for _, c := range imageCases() {
		cases[c.name] = c
	}
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzProbe", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no FuzzProbe seeds in testdata/fuzz (%v)", err)
	}
	for _, f := range files {
		c, ok := cases[filepath.Base(f)]
		if !ok {
			continue // a seed the fuzzer added
		}
		dev := decodeSparse(readSeed(t, f))
		fs, err := Probe(dev, dev.size)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		want := c.want
		if !c.wantExact {
			want.UUID = fs.UUID
		}
		if *fs != want {
			t.Errorf("%s: Probe = %+v, want %+v", f, *fs, want)
		}
	}
}
