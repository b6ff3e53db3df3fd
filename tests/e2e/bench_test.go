//go:build e2e && bench

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBench is `make bench`: build time and size of goinit's images against initramfs-tools and
// dracut, boot time to the root's canary over NFS with DHCP on virtio-net and e1000, goinit's
// per-stage timeline for NFS, AoE and NBD roots, its binary size and the guest memory the
// initramfs stage touched. Every figure is the median of BENCH_RUNS runs (default 3) of one run
// on one machine; the results go to bench/results.md and the ratios to stdout. bench/README.md
// says how the figures are taken.
func TestBench(t *testing.T) {
	e := env(t)
	runs := 3
	if s := os.Getenv("BENCH_RUNS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 50 {
			t.Fatalf("bench: BENCH_RUNS=%q: want a whole number from 1 to 50", s)
		}
		runs = n
	}
	e.Bin(t, "canary")
	goinitBin := e.Bin(t, "goinit")
	e.Bin(t, "mkinitramfs")
	started := time.Now()

	dracutErr := ensureDracut(t)
	if dracutErr != nil {
		t.Logf("bench: %v (dracut rows record it)", dracutErr)
	}
	imgs := onlyImages(t, benchImages(e), os.Getenv("BENCH_ONLY"))
	benchBuilds(t, imgs, runs, t.TempDir(), dracutErr)
	t.Logf("bench: builds done after %s", time.Since(started).Round(time.Second))

	nfs := benchNFSBoots(t, imgs, runs)
	t.Logf("bench: NFS boots done after %s", time.Since(started).Round(time.Second))
	var block *bootTable
	if g := findImage(imgs, "goinit-generic"); g != nil && g.Path != "" {
		block = benchBlockTimelines(t, g.Path, runs)
	} else {
		block = &bootTable{}
	}
	took := time.Since(started)

	var binSize int64
	if st, err := os.Stat(goinitBin); err == nil {
		binSize = st.Size()
	}
	rep := &benchReport{
		Runs: runs, Date: started.UTC(), Took: took, KVer: e.KVer,
		Machine: machineInfo(), Images: imgs, NFS: nfs, Block: block, GoinitBytes: binSize,
	}
	md := rep.Markdown()
	dir := filepath.Join(e.Repo, "bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("bench: %v", err)
	}
	out := filepath.Join(dir, "results.md")
	if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
		t.Fatalf("bench: write %s: %v", out, err)
	}
	fmt.Printf("\nbench: wrote %s (%s)\n\n%s\n", out, took.Round(time.Second), rep.Ratios())
}

// machineInfo describes the machine: cores, CPU model, memory.
func machineInfo() string {
	cpus, model := 0, "?"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			k, v, ok := strings.Cut(l, ":")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "processor":
				cpus++
			case "model name":
				model = strings.TrimSpace(v)
			}
		}
	}
	mem := "?"
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		if kb, err := parseMeminfo(strings.Split(string(data), "\n"), "MemTotal"); err == nil {
			mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%d CPUs (%s), %s RAM, host %s", cpus, model, mem, host)
}

// findImage returns the image with key, or nil.
func findImage(imgs []*benchImage, key string) *benchImage {
	for _, img := range imgs {
		if img.Key == key {
			return img
		}
	}
	return nil
}
