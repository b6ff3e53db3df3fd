package fsprobe

import "testing"

func TestFromUevent(t *testing.T) {
	tests := []struct {
		name, text     string
		wantUUID, want string
		wantN          int
		wantNOK        bool
	}{
		{"6.1 GPT partition", "MAJOR=253\nMINOR=2\nDEVNAME=vda2\nDEVTYPE=partition\nDISKSEQ=9\nPARTN=2\nPARTNAME=root fs\n", "", "root fs", 2, true},
		{"6.1 MBR partition", "MAJOR=8\nMINOR=5\nDEVNAME=sda5\nDEVTYPE=partition\nPARTN=5\n", "", "", 5, true},
		{"newer kernel with PARTUUID", "MAJOR=259\nMINOR=1\nDEVNAME=nvme0n1p1\nDEVTYPE=partition\nPARTN=1\nPARTNAME=EFI\nPARTUUID=AAAAAAAA-bbbb-cccc-dddd-eeeeeeeeeeee\n", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "EFI", 1, true},
		{"whole disk", "MAJOR=253\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\nDISKSEQ=9\n", "", "", 0, false},
		{"CRLF and a value with '='", "PARTN=3\r\nPARTNAME=a=b\r\n", "", "a=b", 3, true},
		{"bad PARTN", "PARTN=x\n", "", "", 0, false},
		{"zero PARTN", "PARTN=0\n", "", "", 0, false},
		{"empty", "", "", "", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, n := FromUevent(tc.text)
			if u != tc.wantUUID || n != tc.want {
				t.Errorf("FromUevent = %q, %q; want %q, %q", u, n, tc.wantUUID, tc.want)
			}
			num, ok := UeventPartN(tc.text)
			if num != tc.wantN || ok != tc.wantNOK {
				t.Errorf("UeventPartN = %d, %v; want %d, %v", num, ok, tc.wantN, tc.wantNOK)
			}
		})
	}
}
