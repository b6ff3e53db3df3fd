package build

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ethernetDir is where a kernel's Ethernet drivers live, relative to its module directory.
const ethernetDir = "kernel/drivers/net/ethernet/"

// nicDevice is a network interface of this machine and the modalias of its device.
type nicDevice struct {
	iface, modalias string
}

// hostNICs reads sysDir/class/net/*/device/modalias, sorted by interface; interfaces without
// a device (lo, bridges, veth) are left out.
func hostNICs(sysDir string) ([]nicDevice, error) {
	dir := filepath.Join(sysDir, "class", "net")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list network devices: %w", err)
	}
	var out []nicDevice
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), "device", "modalias"))
		if err != nil {
			continue
		}
		if a := strings.TrimSpace(string(b)); a != "" {
			out = append(out, nicDevice{iface: e.Name(), modalias: a})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].iface < out[j].iface })
	return out, nil
}
