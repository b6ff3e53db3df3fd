package boot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goinit/goinit/internal/hint"
	"github.com/goinit/goinit/internal/safego"
	"github.com/goinit/goinit/modalias"
)

const (
	modprobeSysctl = "/proc/sys/kernel/modprobe"
	// ModprobeHelper is the path the kernel runs for request_module: a link to /init.
	ModprobeHelper = "/lib/goinit/modprobe"
	imageInfo      = "/etc/goinit/image.json"
)

// builtFor reads the kernel version mkinitramfs wrote into the image.
func builtFor() string {
	b, err := os.ReadFile(imageInfo)
	if err != nil {
		return ""
	}
	var info struct {
		Kernel string `json:"kernel"`
	}
	json.Unmarshal(b, &info)
	return info.Kernel
}

// loadIndex reads the image's module index for the running kernel and points the kernel's
// request_module helper at goinit.
func (b *Boot) loadIndex() error {
	dir := filepath.Join("/lib/modules", b.Kernel)
	ix, err := modalias.Load(dir)
	if err != nil {
		h := "the image has no modules for the running kernel " + b.Kernel
		if k := builtFor(); k != "" && k != b.Kernel {
			h = fmt.Sprintf("this image was built for kernel %s but kernel %s is running: rebuild it with mkinitramfs -k %s", k, b.Kernel, b.Kernel)
		}
		return hint.Wrap(fmt.Errorf("load module index %s: %w", dir, err), h)
	}
	b.index = ix
	b.loader = modalias.NewLoader(ix, b.Params.ModuleParams, b.Log.Debugf)
	if old, err := os.ReadFile(modprobeSysctl); err == nil {
		b.oldProbe = strings.TrimSpace(string(old))
		if _, err := os.Lstat(ModprobeHelper); err == nil {
			if err := os.WriteFile(modprobeSysctl, []byte(ModprobeHelper), 0o644); err != nil {
				b.Log.Printf("warning: cannot point %s at %s: %v", modprobeSysctl, ModprobeHelper, err)
			}
		}
	}
	return nil
}

// restoreModprobe puts back the kernel's modprobe helper path before the switch.
func (b *Boot) restoreModprobe() {
	if b.oldProbe != "" {
		os.WriteFile(modprobeSysctl, []byte(b.oldProbe), 0o644)
	}
}

// startUevents listens for kernel uevents until the switch: "add" events with a MODALIAS load
// their drivers (hotplug after coldplug), and every event wakes whoever waits for a device.
func (b *Boot) startUevents() {
	ctx, cancel := context.WithCancel(context.Background())
	b.stopDevs = cancel
	u, err := modalias.ListenUevents()
	if err != nil {
		b.Log.Printf("warning: no uevent listener (%v): devices are polled instead", err)
		return
	}
	safego.Go("uevents", b.Log.Printf, func() {
		defer u.Close()
		u.Run(ctx, func(ev modalias.Uevent) {
			if ev.Action == "add" && ev.Modalias != "" && b.loader != nil && len(b.index.Lookup(ev.Modalias)) > 0 &&
				(b.skipModalias == nil || !b.skipModalias(ev.Modalias)) {
				safego.Go("hotplug "+ev.DevPath, b.Log.Printf, func() {
					defer b.devs.notify()
					if _, err := b.loader.Load(ctx, ev.Modalias); err != nil {
						b.Log.Printf("hotplug %s: %v", ev.DevPath, err)
					}
				})
			}
			b.devs.notify()
		})
	})
}

// runColdplug loads the drivers of every device present, in rounds until no new device appears.
func (b *Boot) runColdplug() error {
	ctx, cancel := context.WithTimeout(context.Background(), b.Params.Retry)
	defer cancel()
	rep, err := modalias.ColdplugSkipping(ctx, b.loader, "/sys", b.skipModalias)
	b.coldplug = rep
	if rep != nil {
		b.Log.Printf("coldplug: %d devices, %d modules loaded", len(rep.Modaliases), len(rep.Loaded))
		if n := len(rep.Deferred); n > 0 {
			b.Log.Printf("coldplug: %d disk controllers left to the root's udev (the root is on the network)", n)
		}
		if len(driverless(rep.Unmatched)) > 0 {
			b.Log.Printf("devices with no driver in the image:")
			for _, d := range driverless(rep.Unmatched) {
				b.Log.Printf("  %s %s", d.Path, d.Modalias)
			}
		}
	}
	b.startPreload()
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// loadFS makes sure the filesystem's module is loaded before mount(2) asks for it.
func (b *Boot) loadFS(fstype string) {
	if b.loader == nil || fstype == "" || len(b.index.Lookup("fs-"+fstype)) == 0 {
		return
	}
	if _, err := b.loader.Load(context.Background(), "fs-"+fstype); err != nil {
		b.Log.Printf("load filesystem %s: %v", fstype, err)
	}
}
