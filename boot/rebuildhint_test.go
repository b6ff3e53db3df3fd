package boot

import "testing"

func TestRebuildHint(t *testing.T) {
	tests := []struct {
		missing []string
		want    string
	}{
		{[]string{"aoe"}, "rebuild the image with --roots including aoe (or --roots all)"},
		{[]string{"iscsi_tcp", "sd_mod", "fs-xfs"}, "rebuild the image with --roots including iscsi (or --roots all) and --modules xfs"},
		{[]string{"fs-nfs4", "fs-nfs", "nbd"}, "rebuild the image with --roots including nfs,nbd (or --roots all)"},
		{[]string{"fs-overlay", "block2mtd"}, "rebuild the image with --modules overlay,block2mtd"},
	}
	for _, tt := range tests {
		if got := RebuildHint(tt.missing...); got != tt.want {
			t.Errorf("RebuildHint(%q) = %q, want %q", tt.missing, got, tt.want)
		}
	}
	for in, want := range map[string]string{"fs-nfs4": "nfsv4", "fs-nfs": "nfs", "fs-squashfs": "squashfs", "aoe": "aoe"} {
		if got := ModuleOfAlias(in); got != want {
			t.Errorf("ModuleOfAlias(%q) = %q, want %q", in, got, want)
		}
	}
}
