package modalias

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/goinit/goinit/internal/safego"
)

// Uevent is one kernel object event from NETLINK_KOBJECT_UEVENT.
type Uevent struct {
	Action    string // add, remove, change, bind, ...
	DevPath   string // /devices/... below /sys
	Subsystem string
	DevName   string // node name below /dev, when the device has one
	Modalias  string
	Env       map[string]string // every KEY=VALUE of the message
}

// ParseUevent parses a kernel uevent message: "ACTION@DEVPATH\0KEY=VALUE\0...". Messages
// in udev's own format (starting with "libudev") are rejected.
func ParseUevent(msg []byte) (Uevent, error) {
	if bytes.HasPrefix(msg, []byte("libudev\x00")) {
		return Uevent{}, fmt.Errorf("parse uevent: udev-format message, want a kernel uevent")
	}
	parts := bytes.Split(msg, []byte{0})
	header := string(parts[0])
	action, devpath, ok := strings.Cut(header, "@")
	if !ok || action == "" || devpath == "" {
		return Uevent{}, fmt.Errorf("parse uevent: header %q: want \"ACTION@DEVPATH\"", truncate(header, 80))
	}
	ev := Uevent{Action: action, DevPath: devpath, Env: map[string]string{}}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(string(p), "=")
		if !ok || k == "" {
			continue
		}
		ev.Env[k] = v
	}
	if a := ev.Env["ACTION"]; a != "" {
		ev.Action = a
	}
	if d := ev.Env["DEVPATH"]; d != "" {
		ev.DevPath = d
	}
	ev.Subsystem = ev.Env["SUBSYSTEM"]
	ev.DevName = ev.Env["DEVNAME"]
	ev.Modalias = ev.Env["MODALIAS"]
	return ev, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Hotplug loads the modules for the "add" events with a MODALIAS that arrive on events, until
// events is closed or ctx ends; it waits for the loads it started before returning. Start it
// after Coldplug, with events fed by a UeventListener opened before Coldplug, so devices that
// appear asynchronously (SCSI disks behind ahci or virtio_scsi need sd_mod) get their
// drivers. Events without a matching module are ignored; load failures are logged.
func Hotplug(ctx context.Context, l *Loader, events <-chan Uevent) error {
	sem := make(chan struct{}, coldplugWorkers)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		var ev Uevent
		var ok bool
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok = <-events:
			if !ok {
				return nil
			}
		}
		if ev.Action != "add" || ev.Modalias == "" || len(l.Index.Lookup(ev.Modalias)) == 0 {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			safego.Do("hotplug "+ev.DevPath, l.logf, func() {
				if _, err := l.Load(ctx, ev.Modalias); err != nil {
					l.logf("modalias: hotplug %s (%s): %v", ev.DevPath, ev.Modalias, err)
				}
			})
		}()
	}
}
