//go:build e2e && bench

package e2e

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goinit/goinit/internal/labconf"
)

// benchModels are the guest NICs every image boots on.
var benchModels = []string{"virtio-net-pci", "e1000"}

// bootResult is what one boot to the canary measured.
type bootResult struct {
	Wall     float64 // QEMU start to the canary's first line, seconds
	Uptime   float64 // kernel uptime the canary printed (after its checks)
	InitAt   float64 // kernel timestamp of "Run /init as init process"
	HWMKiB   int64   // QEMU's peak RSS when the canary ran
	UsedKiB  int64   // MemTotal − MemAvailable in the booted root
	Phases   []phase // goinit's per-stage totals (ours only)
	Carrier  float64 // goinit's wait for the link's carrier, seconds (ours only; NaN: not seen)
	Lease    float64 // its wait for the DHCP lease, seconds, counted like Carrier from link-up
	Err      string
	Attempts int
}

// Stage is the initramfs stage: first line of /init to the root's init (kernel clock).
func (r bootResult) Stage() float64 { return r.Uptime - r.InitAt }

// bootSpec is one guest boot of the bench.
type bootSpec struct {
	Initrd  string
	Append  string
	Model   string
	Timeout time.Duration
	Goinit  bool // parse goinit's switch summary
}

// benchBootOnce boots spec on the lab's tap and measures it. Failures come back in Err; the
// console log is kept under tests/e2e/logs only when the caller fails its test.
func benchBootOnce(t *testing.T, lab *Lab, tap int, mac string, spec bootSpec) bootResult {
	r := bootResult{Carrier: math.NaN(), Lease: math.NaN()}
	cfg := VMConfig{
		Initrd: spec.Initrd,
		Append: strings.TrimSpace("panic=10 " + spec.Append + " canary.cat=/proc/meminfo"),
	}
	if lab != nil {
		cfg.NetNS = lab.NS
		cfg.QEMUArgs = lab.NIC(tap, spec.Model, mac)
	}
	vm := Boot(t, cfg)
	if _, err := vm.Find(canaryMarker, spec.Timeout); err != nil {
		r.Err = strings.TrimSuffix(firstLine(err.Error()), "; last console lines:")
		// The last line a program (not the kernel) wrote says where the init was stuck.
		if l := vm.Seen(`^[^\[]`); len(l) > 0 {
			r.Err += "; last init line: " + strings.TrimSpace(l[len(l)-1])
		}
		t.Logf("bench: boot failed: %v", err)
		return r
	}
	r.Wall = vm.Since().Seconds()
	if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", vm.cmd.Process.Pid)); err == nil {
		if v, err := parseVmHWM(string(status)); err == nil {
			r.HWMKiB = v
		}
	}
	line, err := vm.Find(`GOINIT-CANARY-UPTIME `, 60*time.Second)
	if err == nil {
		r.Uptime, err = parseUptimeLine(line)
	}
	if err != nil {
		r.Err = firstLine(err.Error())
		return r
	}
	if _, err := vm.Exit(60 * time.Second); err != nil {
		t.Logf("bench: %v", firstLine(err.Error()))
	}
	if l := vm.Seen(kernelRunsInit); len(l) > 0 {
		if v, err := parsePrintkTime(l[0]); err == nil {
			r.InitAt = v
		}
	}
	cat := vm.Seen(`GOINIT-CANARY-CAT `)
	total, err1 := parseMeminfo(cat, "MemTotal")
	avail, err2 := parseMeminfo(cat, "MemAvailable")
	if err1 == nil && err2 == nil {
		r.UsedKiB = total - avail
	}
	if spec.Goinit {
		if l := vm.Seen(`switching to \S+ on \S+: `); len(l) > 0 {
			if r.Phases, err = parseSwitchSummary(l[len(l)-1]); err != nil {
				t.Logf("bench: %v", err)
			}
		}
		if c, l, ok := parseLinkTimes(vm.Seen(linkLinesRe)); ok {
			r.Carrier, r.Lease = c, l
		}
	}
	return r
}

// benchStartNFS is StartNFS for a machine shared with other e2e runs: LockNFS only orders the
// tests of this process, so rpcbind is started again (after another process's rpcbind ended)
// when it finds one running, for up to 15 minutes.
func benchStartNFS(t *testing.T, lab *Lab, tree string) {
	rec := filepath.Join(lab.Dir, "ganesha-recovery")
	if err := os.MkdirAll(rec, 0o755); err != nil {
		t.Fatalf("bench: start NFS: %v", err)
	}
	deadline := time.Now().Add(15 * time.Minute)
	for i := 1; ; i++ {
		waitForeignRPCBind(t, time.Until(deadline))
		p := lab.Start(t, fmt.Sprintf("rpcbind-%d", i), Tool(t, "rpcbind", "rpcbind"), "-f")
		err := lab.ProbeTCP(p, lab.ServerIP+":111", serverWait)
		if err == nil {
			break
		}
		p.Stop()
		if time.Now().After(deadline) {
			t.Fatalf("bench: start rpcbind: %v", err)
		}
		t.Logf("bench: rpcbind attempt %d: %s; again", i, firstLine(err.Error()))
	}
	cfg := filepath.Join(lab.Dir, "ganesha.conf")
	writeConfig(t, cfg, labconf.Ganesha(lab.ServerIP, tree, rec))
	lab.startGanesha(t, "ganesha", cfg, filepath.Join(lab.Dir, "ganesha-nfsd.log"))
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// bootKey names one row of boot results.
type bootKey struct{ Image, Model string }

// bootTable collects boot results from the workers.
type bootTable struct {
	mu  sync.Mutex
	res map[bootKey][]bootResult
}

func (b *bootTable) add(k bootKey, r bootResult) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.res == nil {
		b.res = map[bootKey][]bootResult{}
	}
	b.res[k] = append(b.res[k], r)
}

// failed reports whether an earlier run of this row failed (later runs are skipped).
func (b *bootTable) failed(k bootKey) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.res[k] {
		if r.Err != "" {
			return true
		}
	}
	return false
}

func (b *bootTable) get(k bootKey) []bootResult {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.res[k]
}

// baselineKey is the row of the trivial initramfs (the canary as /init, no network, no root).
const baselineKey = "baseline"

// benchNFSBoots boots every image on every NIC model runs times against one lab: dnsmasq on
// tap0 and tap1, ganesha exporting a canary root, and two workers, one per tap, so at most two
// guests run at once. The trivial initramfs boots too, as the memory and time baseline.
func benchNFSBoots(t *testing.T, imgs []*benchImage, runs int) *bootTable {
	table := &bootTable{}
	t.Run("nfs", func(t *testing.T) {
		LockNFS(t)
		lab := NewLab(t, 2)
		lab.StartDnsmasq(t, "interface=tap1", "dhcp-range=10.99.1.100,10.99.1.199,255.255.255.0,1h",
			"dhcp-option=option:root-path,10.99.0.1:/export")
		benchStartNFS(t, lab, RootTree(t))
		trivial := CanaryInitramfs(t)

		type job struct {
			img   *benchImage // nil: the trivial baseline
			model string
			run   int
		}
		jobs := make(chan job)
		var wg sync.WaitGroup
		for w := 0; w < 2; w++ {
			wg.Add(1)
			mac := fmt.Sprintf("52:54:00:be:0%d:01", w)
			go func(tap int) {
				defer wg.Done()
				for j := range jobs {
					key, spec := baselineKey, bootSpec{Initrd: trivial, Model: j.model, Timeout: bootWait}
					if j.img != nil {
						key = j.img.Key
						spec = bootSpec{Initrd: j.img.Path, Append: j.img.Append, Model: j.model,
							Timeout: bootWait, Goinit: !j.img.Peer}
						if j.img.Peer {
							spec.Timeout = 180 * time.Second
						}
					}
					k := bootKey{key, j.model}
					if table.failed(k) {
						continue
					}
					name := fmt.Sprintf("%s_%s_run%d", key, j.model, j.run+1)
					t.Run(name, func(t *testing.T) {
						r := benchBootOnce(t, lab, tap, mac, spec)
						if r.Err != "" && (j.img == nil || !j.img.Peer) {
							t.Errorf("bench: %s: %s", name, r.Err)
						}
						t.Logf("bench: %s: wall %.2fs, stage %.2fs, peak RSS %d KiB, %s", name, r.Wall, r.Stage(), r.HWMKiB, r.Err)
						table.add(k, r)
					})
				}
			}(w)
		}
		for r := 0; r < runs; r++ {
			for _, m := range benchModels {
				jobs <- job{model: m, run: r}
				for _, img := range imgs {
					if img.Path == "" || !img.hasDriver(m) {
						continue
					}
					jobs <- job{img: img, model: m, run: r}
				}
			}
		}
		close(jobs)
		wg.Wait()
	})
	return table
}

// benchBlockTimelines boots our generic image on virtio-net with an ext4 root over AoE
// (vblade, aoeroot=) and over NBD (nbd-server, ip=dhcp) runs times each, for goinit's per-stage
// timeline. The two transports run side by side, each in a lab of its own.
func benchBlockTimelines(t *testing.T, initrd string, runs int) *bootTable {
	table := &bootTable{}
	t.Run("block", func(t *testing.T) {
		ext4 := (&Ext4{SizeMB: 32}).Make(t, RootTree(t))
		cases := []struct {
			name   string
			append string
			serve  func(t *testing.T, lab *Lab)
		}{
			{"aoe", "aoeroot=e7.1", func(t *testing.T, lab *Lab) {
				StartVblade(t, lab, AoEExport{Shelf: 7, Slot: 1, Img: ext4, ReadOnly: true})
			}},
			{"nbd", "root=nbd:10.99.0.1:root ip=dhcp", func(t *testing.T, lab *Lab) {
				lab.StartDnsmasq(t)
				StartNBDServer(t, lab, NBDExport{Name: "root", Img: ext4, ReadOnly: true})
			}},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				lab := NewLab(t, 1)
				c.serve(t, lab)
				mac := fmt.Sprintf("52:54:00:be:1%d:01", i)
				for r := 0; r < runs; r++ {
					k := bootKey{"goinit-" + c.name, "virtio-net-pci"}
					t.Run(fmt.Sprintf("run%d", r+1), func(t *testing.T) {
						res := benchBootOnce(t, lab, 0, mac, bootSpec{Initrd: initrd, Append: c.append,
							Model: "virtio-net-pci", Timeout: bootWait, Goinit: true})
						if res.Err != "" {
							t.Errorf("bench: %s run %d: %s", c.name, r+1, res.Err)
						}
						table.add(k, res)
					})
				}
			})
		}
	})
	return table
}
