package fsprobe

import "testing"

func TestMatch(t *testing.T) {
	ext4 := Info{Dev: "/dev/vda2", FS: &FS{Type: "ext4", UUID: "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", Label: "my root"},
		PartUUID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", PartLabel: "root"}
	vfat := Info{Dev: "/dev/sda1", FS: &FS{Type: "vfat", UUID: "1234-ABCD", Label: "EFI"}, PartUUID: "1234abcd-01"}
	bare := Info{Dev: "/dev/nbd0"}
	noUUID := Info{Dev: "/dev/loop0", FS: &FS{Type: "squashfs"}}
	tests := []struct {
		spec string
		dev  Info
		want bool
	}{
		{"UUID=0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", ext4, true},
		{"UUID=0B1C2D3E-4F50-4617-8293-A4B5C6D7E8F9", ext4, true},
		{"UUID=0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f0", ext4, false},
		{"UUID=1234-abcd", vfat, true},
		{"UUID=1234-ABCD", vfat, true},
		{"LABEL=my root", ext4, true},
		{"LABEL=My Root", ext4, false},
		{"LABEL=my", ext4, false},
		{"LABEL=EFI", vfat, true},
		{"PARTUUID=AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee", ext4, true},
		{"PARTUUID=1234ABCD-01", vfat, true},
		{"PARTUUID=1234abcd-02", vfat, false},
		{"PARTLABEL=root", ext4, true},
		{"PARTLABEL=ROOT", ext4, false},
		{"UUID=", noUUID, false},
		{"LABEL=", noUUID, false},
		{"PARTLABEL=", vfat, false},
		{"UUID=0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", bare, false},
		{"LABEL=x", bare, false},
		{"PARTUUID=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", bare, false},
		{"/dev/vda2", ext4, false},
		{"uuid=0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", ext4, false},
		{"ID=root", ext4, false},
		{"", ext4, false},
	}
	for _, tc := range tests {
		if got := Match(tc.spec, tc.dev); got != tc.want {
			t.Errorf("Match(%q, %s) = %v, want %v", tc.spec, tc.dev.Dev, got, tc.want)
		}
	}
}
