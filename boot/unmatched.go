package boot

import (
	"strings"

	"github.com/goinit/goinit/modalias"
)

// driverless keeps the devices whose missing driver can explain a failed boot: PCI storage
// (class 01), network (02) and serial-bus (0c: USB, FireWire) controllers, and virtio devices.
// Host bridges and the like never have a driver and would only be noise.
func driverless(devs []modalias.Device) []modalias.Device {
	var out []modalias.Device
	for _, d := range devs {
		m := d.Modalias
		switch {
		case strings.HasPrefix(m, "virtio:"):
			out = append(out, d)
		case strings.HasPrefix(m, "pci:"):
			if i := strings.Index(m, "bc"); i >= 0 && i+4 <= len(m) {
				switch m[i+2 : i+4] {
				case "01", "02", "0C", "0c":
					out = append(out, d)
				}
			}
		}
	}
	return out
}
