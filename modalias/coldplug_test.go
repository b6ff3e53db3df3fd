package modalias

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// addDevice creates <sysfs>/bus/<bus>/devices/<name>/modalias. With real set, the device
// directory lives under <sysfs>/devices and the bus entry is a symlink to it, as in sysfs.
func addDevice(t *testing.T, sysfs, bus, name, modalias string, real bool) string {
	t.Helper()
	entry := filepath.Join(sysfs, "bus", bus, "devices", name)
	dev := entry
	if real {
		dev = filepath.Join(sysfs, "devices", bus+"0", name)
	}
	if err := os.MkdirAll(dev, 0o755); err != nil {
		t.Fatal(err)
	}
	if real {
		if err := os.MkdirAll(filepath.Dir(entry), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(dev, entry); err != nil {
			t.Fatal(err)
		}
	}
	if modalias != "" {
		if err := os.WriteFile(filepath.Join(dev, "modalias"), []byte(modalias+"\n"), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	return entry
}

func TestColdplugRounds(t *testing.T) {
	dir := fixtureDir(t)
	sysfs := t.TempDir()
	const (
		virtioPCI = "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00"
		e1000     = "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00"
		hostBr    = "pci:v00008086d00001237sv00001AF4sd00001100bc06sc00i00"
		uhci      = "pci:v00008086d00007020sv00001AF4sd00001100bc0Csc03i00"
		vgaDev    = "pci:v00001234d00001111sv00001AF4sd00001100bc03sc00i00"
		broken    = "pci:v0000BEEFd00000001sv00000000sd00000000bc02sc00i00"
		virtioNet = "virtio:d00000001v00001AF4"
		virtioX   = "virtio:d0000007Fv00001AF4"
		cpu       = "cpu:type:x86,ven0000fam0006mod003F:feature:,0000"
	)
	addDevice(t, sysfs, "pci", "0000:00:03.0", virtioPCI, true)
	addDevice(t, sysfs, "pci", "0000:00:04.0", e1000, true)
	addDevice(t, sysfs, "pci", "0000:00:00.0", hostBr, true) // a bridge: not reported
	vga := addDevice(t, sysfs, "pci", "0000:00:02.0", vgaDev, true)
	usb := addDevice(t, sysfs, "pci", "0000:00:01.2", uhci, true)
	// Bound to a built-in driver: not reported even without a module.
	if err := os.Symlink("../../bus/pci/drivers/uhci_hcd", filepath.Join(usb, "driver")); err != nil {
		t.Fatal(err)
	}
	addDevice(t, sysfs, "pci", "0000:00:05.0", broken, false)
	addDevice(t, sysfs, "acpi", "PNP0A03:00", "acpi:PNP0A03:", false)
	addDevice(t, sysfs, "cpu", "cpu0", cpu, false)
	addDevice(t, sysfs, "cpu", "cpu1", cpu, false)
	addDevice(t, sysfs, "platform", "serial8250", "", false)
	if err := os.MkdirAll(filepath.Join(sysfs, "bus", "nodevices"), 0o755); err != nil {
		t.Fatal(err)
	}

	k := newFakeKernel()
	k.fail["broken"] = syscall.EINVAL
	var vx string
	k.onLoad = func(name string) {
		// Like virtio_pci: binding creates the virtio devices.
		if name == "virtio_pci" {
			addDevice(t, sysfs, "virtio", "virtio0", virtioNet, false)
			vx = addDevice(t, sysfs, "virtio", "virtio1", virtioX, false)
		}
	}
	l, _ := newTestLoader(t, dir, k)
	rep, err := Coldplug(context.Background(), l, sysfs)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rep.Rounds); got != 3 {
		t.Fatalf("%d rounds, want 3: %+v", got, rep.Rounds)
	}
	if r := rep.Rounds[0]; r.Devices != 9 || r.New != 3 {
		t.Errorf("round 1 = %+v, want 9 devices, 3 new matched modaliases", r)
	}
	if r := rep.Rounds[1]; r.Devices != 11 || r.New != 1 || !reflect.DeepEqual(r.Loaded, []string{"net_failover", "virtio_net"}) {
		t.Errorf("round 2 = %+v, want 11 devices, 1 new, loaded net_failover virtio_net", r)
	}
	if r := rep.Rounds[2]; r.New != 0 || r.Loaded != nil {
		t.Errorf("round 3 = %+v, want nothing new", r)
	}
	want := []string{"e1000", "failover", "net_failover", "virtio", "virtio_net", "virtio_pci", "virtio_ring"}
	if !sameSet(rep.Loaded, want) {
		t.Errorf("Loaded = %q, want %q", rep.Loaded, want)
	}
	if !sameSet(k.Calls(), append(want, "broken")) {
		t.Errorf("insertions = %q", k.Calls())
	}
	wantUnmatched := []Device{{vga, vgaDev}, {vx, virtioX}}
	if !reflect.DeepEqual(rep.Unmatched, wantUnmatched) {
		t.Errorf("Unmatched = %+v, want %+v", rep.Unmatched, wantUnmatched)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Error() != "modalias "+broken+": load module broken ("+dir+"/kernel/drivers/broken/broken.ko): invalid argument" {
		t.Errorf("Errors = %v", rep.Errors)
	}
	if len(rep.Modaliases) != 10 {
		t.Errorf("Modaliases = %q, want 10 distinct", rep.Modaliases)
	}
}

func TestColdplugErrors(t *testing.T) {
	l, _ := newTestLoader(t, fixtureDir(t), newFakeKernel())
	sysfs := t.TempDir()
	_, err := Coldplug(context.Background(), l, sysfs)
	if want := "coldplug: read " + sysfs + "/bus: no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	addDevice(t, sysfs, "pci", "0000:00:04.0", "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00", false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := Coldplug(ctx, l, sysfs)
	if !errors.Is(err, context.Canceled) || rep == nil {
		t.Errorf("cancelled Coldplug = %v, %v", rep, err)
	}
}

func TestColdplugSkippingStorage(t *testing.T) {
	dir := fixtureDir(t)
	sysfs := t.TempDir()
	const (
		e1000 = "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00"
		ahci  = "pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01"
	)
	addDevice(t, sysfs, "pci", "0000:00:04.0", e1000, true)
	sata := addDevice(t, sysfs, "pci", "0000:00:1f.2", ahci, true)
	k := newFakeKernel()
	l, _ := newTestLoader(t, dir, k)
	rep, err := ColdplugSkipping(context.Background(), l, sysfs, StorageModalias)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.Calls(); !reflect.DeepEqual(got, []string{"e1000", "failover"}) {
		t.Errorf("insertions = %q, want e1000 (and its softdep) only, no ahci", got)
	}
	if len(rep.Deferred) != 1 || rep.Deferred[0].Path != sata || len(rep.Unmatched) != 0 {
		t.Errorf("deferred = %+v, unmatched = %+v; want the AHCI controller deferred, nothing unmatched", rep.Deferred, rep.Unmatched)
	}
	// Without the skip function the controller's driver loads.
	k2 := newFakeKernel()
	l2, _ := newTestLoader(t, dir, k2)
	if _, err := Coldplug(context.Background(), l2, sysfs); err != nil {
		t.Fatal(err)
	}
	if got := k2.Calls(); !slices.Contains(got, "ahci") || !slices.Contains(got, "e1000") {
		t.Errorf("insertions without skip = %q, want ahci and e1000 among them", got)
	}
}

func TestRunBoundedSurvivesAPanic(t *testing.T) {
	var mu sync.Mutex
	var done []string
	var reports []string
	runBounded(context.Background(), []string{"a", "bad", "c"}, 2,
		func(f string, args ...any) {
			mu.Lock()
			reports = append(reports, fmt.Sprintf(f, args...))
			mu.Unlock()
		},
		func(it string) {
			if it == "bad" {
				panic("driver table corrupt")
			}
			mu.Lock()
			done = append(done, it)
			mu.Unlock()
		})
	slices.Sort(done)
	if !reflect.DeepEqual(done, []string{"a", "c"}) || len(reports) != 1 || !strings.HasPrefix(reports[0], "coldplug bad: panic: driver table corrupt") {
		t.Errorf("done %q, reports %q", done, reports)
	}
}
