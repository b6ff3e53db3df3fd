package fsprobe

import (
	"strconv"
	"strings"
)

// FromUevent reads PARTUUID and PARTNAME from the text of /sys/class/block/<part>/uevent.
//
// Debian's 6.1 kernel prints only PARTN and PARTNAME there, and PARTNAME only for named GPT
// partitions, in a lossy 7-bit form (the kernel keeps the low byte of each UTF-16 unit and
// turns unprintable ones into '!'). Only newer kernels add PARTUUID. When partUUID is "", read
// the disk's table with Partitions and take the entry whose Number is UeventPartN's; prefer its
// PartLabel too when the name is not plain ASCII.
func FromUevent(text string) (partUUID, partName string) {
	for _, line := range strings.Split(text, "\n") {
		k, v, ok := strings.Cut(strings.TrimSuffix(line, "\r"), "=")
		if !ok {
			continue
		}
		switch k {
		case "PARTUUID":
			partUUID = strings.ToLower(v)
		case "PARTNAME":
			partName = v
		}
	}
	return partUUID, partName
}

// UeventPartN returns the PARTN value of a partition's uevent text: its number in the disk's
// partition table. ok is false for a whole disk or a malformed value.
func UeventPartN(text string) (n int, ok bool) {
	for _, line := range strings.Split(text, "\n") {
		v, found := strings.CutPrefix(strings.TrimSuffix(line, "\r"), "PARTN=")
		if !found {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}
