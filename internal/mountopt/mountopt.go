// Package mountopt splits mount(8)-style option strings ("ro,noatime,data=journal") into the
// mount(2) flag bits and the filesystem-specific data string, as mount(8) does.
package mountopt

import (
	"strings"

	"golang.org/x/sys/unix"
)

type flagOpt struct {
	set   bool
	flags uintptr
}

var flagOpts = map[string]flagOpt{
	"ro":          {true, unix.MS_RDONLY},
	"rw":          {false, unix.MS_RDONLY},
	"nosuid":      {true, unix.MS_NOSUID},
	"suid":        {false, unix.MS_NOSUID},
	"nodev":       {true, unix.MS_NODEV},
	"dev":         {false, unix.MS_NODEV},
	"noexec":      {true, unix.MS_NOEXEC},
	"exec":        {false, unix.MS_NOEXEC},
	"sync":        {true, unix.MS_SYNCHRONOUS},
	"async":       {false, unix.MS_SYNCHRONOUS},
	"dirsync":     {true, unix.MS_DIRSYNC},
	"noatime":     {true, unix.MS_NOATIME},
	"atime":       {false, unix.MS_NOATIME},
	"nodiratime":  {true, unix.MS_NODIRATIME},
	"diratime":    {false, unix.MS_NODIRATIME},
	"relatime":    {true, unix.MS_RELATIME},
	"norelatime":  {false, unix.MS_RELATIME},
	"strictatime": {true, unix.MS_STRICTATIME},
	"lazytime":    {true, unix.MS_LAZYTIME},
	"nolazytime":  {false, unix.MS_LAZYTIME},
	"silent":      {true, unix.MS_SILENT},
	"loud":        {false, unix.MS_SILENT},
	"mand":        {true, unix.MS_MANDLOCK},
	"nomand":      {false, unix.MS_MANDLOCK},
}

// Split applies the options in opts (comma separated) on top of flags and returns the new flags
// and the options that are not flags, joined with commas, in their original order.
// "defaults" is accepted and ignored, as mount(8) does.
func Split(opts string, flags uintptr) (uintptr, string) {
	var data []string
	for _, o := range strings.Split(opts, ",") {
		o = strings.TrimSpace(o)
		if o == "" || o == "defaults" {
			continue
		}
		if f, ok := flagOpts[o]; ok {
			if f.set {
				flags |= f.flags
			} else {
				flags &^= f.flags
			}
			continue
		}
		data = append(data, o)
	}
	return flags, strings.Join(data, ",")
}

// Join joins non-empty option strings with commas.
func Join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ",")
}
