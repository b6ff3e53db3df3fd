package fsprobe

import "strings"

// Info is what is known about one block device when resolving a root= specification.
type Info struct {
	Dev       string // e.g. /dev/vda1
	FS        *FS    // nil when the device holds no known filesystem
	PartUUID  string
	PartLabel string
}

// Match reports whether dev is the device spec names. spec is one of UUID=<uuid>,
// LABEL=<label>, PARTUUID=<uuid>, PARTLABEL=<name>: UUIDs compare without regard to case,
// labels exactly. An empty value, another form, or a device without the field never matches.
func Match(spec string, dev Info) bool {
	key, val, ok := strings.Cut(spec, "=")
	if !ok || val == "" {
		return false
	}
	switch key {
	case "UUID":
		return dev.FS != nil && dev.FS.UUID != "" && strings.EqualFold(dev.FS.UUID, val)
	case "LABEL":
		return dev.FS != nil && dev.FS.Label == val
	case "PARTUUID":
		return dev.PartUUID != "" && strings.EqualFold(dev.PartUUID, val)
	case "PARTLABEL":
		return dev.PartLabel == val
	}
	return false
}
