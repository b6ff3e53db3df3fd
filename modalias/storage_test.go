package modalias

import "testing"

func TestStorageModalias(t *testing.T) {
	for a, want := range map[string]bool{
		"pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80": true,  // PIIX IDE (QEMU)
		"pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01": true,  // ICH9 AHCI
		"pci:v00001B36d00000010sv00001AF4sd00001100bc01sc08i02": true,  // NVMe
		"pci:v00001180d00000822sv00001028sd000001F3bc08sc05i01": true,  // SDHCI
		"pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00": false, // e1000
		"pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00": false, // virtio-net (PCI)
		"pci:v00008086d00007000sv00001AF4sd00001100bc06sc01i00": false, // ISA bridge
		"pci:v00008086d00002934sv00001AF4sd00001100bc0Csc03i00": false, // USB host
		"virtio:d00000002v00001AF4":                             true,  // virtio-blk
		"virtio:d00000008v00001AF4":                             true,  // virtio-scsi
		"virtio:d00000001v00001AF4":                             false, // virtio-net
		"usb:v0781p5567d0100dc00dsc00dp00ic08isc06ip50in00":     true,  // USB stick
		"usb:v0B95p1790d0100dcFFdscFFdp00icFFiscFFip00in00":     false, // USB NIC
		"acpi:PNP0A03:":       false,
		"pci:bc01":            false, // truncated
		"scsi:t-0x00":         false, // a disk on an iSCSI session is loaded by the root step
		"platform:serial8250": false,
	} {
		if got := StorageModalias(a); got != want {
			t.Errorf("StorageModalias(%q) = %v, want %v", a, got, want)
		}
	}
}
