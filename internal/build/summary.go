package build

import (
	"fmt"
	"strings"
	"time"

	"github.com/goinit/goinit/internal/archive"
)

// Summary is what a build did.
type Summary struct {
	Output          string
	Compression     archive.Compression
	Size            int64 // bytes of the image file
	ArchiveSize     int64 // bytes of the uncompressed archive
	Kernel          string
	RunningKernel   string
	Modules         []string // module names, sorted
	MissingModules  []string // group entries the kernel lacks, "name (group)"
	Firmware        []string // firmware files included
	FirmwareMissing []string // firmware named by modinfo and not found on the host
	Files           int      // records in the archive
	Busybox         string   // the busybox included, "" for none
	BusyboxNote     string   // why there is none
	Applets         int
	NICs            string // the selection and what it found
	Goinit          string
	GoinitSHA256    string
	Epoch           int64
	Duration        time.Duration
}

// String is the two-line summary mkinitramfs prints.
func (s *Summary) String() string {
	bb := "no busybox"
	if s.Busybox != "" {
		bb = fmt.Sprintf("busybox %s (%d applets)", s.Busybox, s.Applets)
	} else if s.BusyboxNote != "" {
		bb += " (" + s.BusyboxNote + ")"
	}
	fw := fmt.Sprintf("%d firmware files", len(s.Firmware))
	if len(s.FirmwareMissing) > 0 {
		fw += fmt.Sprintf(" (%d named by modules not found)", len(s.FirmwareMissing))
	}
	return fmt.Sprintf("%s: %s, %s (%s unpacked), built in %s\nkernel %s: %d modules, %s, %d files, %s, nics %s",
		s.Output, s.Compression, humanSize(s.Size), humanSize(s.ArchiveSize), s.Duration.Round(10*time.Millisecond),
		s.Kernel, len(s.Modules), fw, s.Files, bb, s.NICs)
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// verboseReport lists what went in, one item per line.
func (s *Summary) verboseReport() string {
	var b strings.Builder
	fmt.Fprintf(&b, "goinit %s sha256 %s\n", s.Goinit, s.GoinitSHA256)
	fmt.Fprintf(&b, "nics %s\n", s.NICs)
	for _, m := range s.Modules {
		fmt.Fprintf(&b, "module %s\n", m)
	}
	for _, f := range s.Firmware {
		fmt.Fprintf(&b, "firmware %s\n", f)
	}
	for _, f := range s.FirmwareMissing {
		fmt.Fprintf(&b, "firmware %s: not found, skipped\n", f)
	}
	return b.String()
}
