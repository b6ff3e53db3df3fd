// Package build turns a Config into an initramfs image for goinit: it resolves the kernel and
// the modules (with their dependencies, soft dependencies and firmware), lays out the image
// (docs/architecture.md, "Image layout"), adds busybox when asked, and writes the compressed
// archive atomically.
package build

import (
	"fmt"
	"io"
	"strings"

	"github.com/goinit/goinit/internal/archive"
)

// Config is everything a build needs. The zero value of each field means its default.
type Config struct {
	Output         string   // the image file to write (required)
	KernelVersion  string   // "" = the running kernel if its modules are installed, else the newest
	ModulesDir     string   // base of the module trees, default /lib/modules
	GoinitPath     string   // "" = goinit beside the mkinitramfs executable, or ../lib/goinit/goinit
	BusyboxPath    string   // "" or "auto" = a static busybox if one is found, "none", or a path
	Compress       string   // zstd (default), gzip, xz, lz4, none
	ModuleCompress string   // each module file: zstd (default: goinit unpacks what it loads) or none
	ExtraModules   []string // modules or aliases to add, with their dependencies (--modules)
	NICs           string   // generic (default), host or none
	Roots          string   // root types to carry modules for: "all" (default) or e.g. "nfs,aoe"
	FirmwareDir    string   // default /lib/firmware
	ISCSISecrets   string   // credentials file to embed at /etc/goinit/secrets/iscsi (0600); "" = none

	Verbose bool
	Quiet   bool
	// Log receives the summary, warnings and (Verbose) the module list; nil discards them.
	Log io.Writer
	// Progress receives a line as each long step starts; nil for none.
	Progress io.Writer

	// Seams, for tests: the mkinitramfs executable (default os.Executable), the sysfs root
	// (default /sys) and the running kernel's release (default uname -r).
	Executable    string
	SysDir        string
	RunningKernel string
}

// NIC selections.
const (
	NICsGeneric = "generic"
	NICsHost    = "host"
	NICsNone    = "none"
)

// Busybox selections other than a path.
const (
	BusyboxAuto = "auto"
	BusyboxNone = "none"
)

// settings is a Config with its defaults filled in and its values checked.
type settings struct {
	Config
	compression archive.Compression
	packModules bool
	roots       []string
	extra       []string
}

// Check reports what is wrong with the values a user gave (no output file, an unknown --nics
// or --compress), without touching the disk. Build checks the same first.
func (c Config) Check() error {
	_, err := c.settle()
	return err
}

func (c Config) settle() (*settings, error) {
	s := &settings{Config: c}
	if s.Output == "" {
		return nil, fmt.Errorf("check config: no output file: give -o FILE")
	}
	if s.ModulesDir == "" {
		s.ModulesDir = "/lib/modules"
	}
	if s.FirmwareDir == "" {
		s.FirmwareDir = "/lib/firmware"
	}
	if s.SysDir == "" {
		s.SysDir = "/sys"
	}
	if s.BusyboxPath == "" {
		s.BusyboxPath = BusyboxAuto
	}
	if s.Log == nil {
		s.Log = io.Discard
	}
	switch s.NICs {
	case "":
		s.NICs = NICsGeneric
	case NICsGeneric, NICsHost, NICsNone:
	default:
		return nil, fmt.Errorf("check config: --nics %q: want generic, host or none", s.NICs)
	}
	roots, err := parseRoots(s.Roots)
	if err != nil {
		return nil, err
	}
	s.roots = roots
	comp, err := archive.ParseCompression(s.Compress)
	if err != nil {
		return nil, fmt.Errorf("check config: --compress: %w", err)
	}
	s.compression = comp
	switch s.ModuleCompress {
	case "", "zstd":
		s.packModules = true
	case "none":
	default:
		return nil, fmt.Errorf("check config: --module-compress %q: want zstd or none", s.ModuleCompress)
	}
	for _, m := range s.ExtraModules {
		for _, f := range strings.Split(m, ",") {
			if f = strings.TrimSpace(f); f != "" {
				s.extra = append(s.extra, f)
			}
		}
	}
	return s, nil
}

func (s *settings) progress(format string, args ...any) {
	if s.Progress != nil {
		fmt.Fprintf(s.Progress, "mkinitramfs: "+format+"\n", args...)
	}
}

func (s *settings) verbose(format string, args ...any) {
	if s.Verbose {
		fmt.Fprintf(s.Log, format+"\n", args...)
	}
}

func (s *settings) warn(format string, args ...any) {
	if !s.Quiet {
		fmt.Fprintf(s.Log, "warning: "+format+"\n", args...)
	}
}
