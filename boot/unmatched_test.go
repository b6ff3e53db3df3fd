package boot

import (
	"testing"

	"github.com/goinit/goinit/modalias"
)

func TestDriverlessKeepsStorageNetworkAndVirtio(t *testing.T) {
	in := []modalias.Device{
		{Path: "a", Modalias: "pci:v00008086d00001237sv00001AF4sd00001100bc06sc00i00"}, // host bridge
		{Path: "b", Modalias: "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00"}, // e1000
		{Path: "c", Modalias: "pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00"}, // virtio-blk
		{Path: "d", Modalias: "virtio:d00000001v00001AF4"},
		{Path: "e", Modalias: "acpi:PNP0A03:"},
	}
	got := driverless(in)
	if len(got) != 3 || got[0].Path != "b" || got[1].Path != "c" || got[2].Path != "d" {
		t.Fatalf("driverless = %+v", got)
	}
}
