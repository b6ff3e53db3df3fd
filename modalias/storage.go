package modalias

import "strings"

// StorageModalias reports whether a device modalias is local storage: a PCI mass storage
// controller (class 01: SCSI, IDE, RAID, SATA/AHCI, SAS, NVMe, …), a PCI SD host controller
// (class 08 subclass 05), a virtio block or SCSI device, or a USB mass storage interface
// (interface class 08). A boot whose root is on the network does not need their drivers.
func StorageModalias(a string) bool {
	switch {
	case strings.HasPrefix(a, "pci:"):
		class, sub, ok := pciClass(a)
		return ok && (class == "01" || (class == "08" && sub == "05"))
	case strings.HasPrefix(a, "virtio:"):
		// virtio:d%08Xv%08X; device 2 is block, 8 is SCSI
		return strings.HasPrefix(a, "virtio:d00000002v") || strings.HasPrefix(a, "virtio:d00000008v")
	case strings.HasPrefix(a, "usb:"):
		// usb:v…d…d…dc…dsc…dp…ic%02Xisc%02Xip%02Xin%02X
		i := strings.LastIndex(a, "ic")
		return i >= 0 && strings.HasPrefix(a[i:], "ic08")
	}
	return false
}

// pciClass returns the base class and subclass of a PCI modalias
// (pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X) as the two-digit hex strings it holds.
func pciClass(a string) (class, sub string, ok bool) {
	i := strings.LastIndex(a, "bc")
	if i < 0 || len(a) < i+8 || a[i+4:i+6] != "sc" {
		return "", "", false
	}
	return a[i+2 : i+4], a[i+6 : i+8], true
}
