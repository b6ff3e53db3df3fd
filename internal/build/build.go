package build

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/goinit/goinit/internal/archive"
	"github.com/goinit/goinit/modalias"
)

// Build writes the image cfg describes and returns what it did. Unless cfg.Quiet it writes
// warnings and the summary to cfg.Log; with cfg.Verbose also the module and firmware lists.
func Build(cfg Config) (*Summary, error) {
	start := time.Now()
	s, err := cfg.settle()
	if err != nil {
		return nil, err
	}
	epoch, err := archive.SourceDateEpoch()
	if err != nil {
		return nil, err
	}
	running := s.RunningKernel
	if running == "" {
		running = runningKernel()
	}
	kver, err := resolveKernel(s.ModulesDir, s.KernelVersion, running)
	if err != nil {
		return nil, err
	}
	if s.KernelVersion == "" && kver != running {
		s.warn("building for kernel %s, not the running %s (its modules are not in %s); boot this image with %s only",
			kver, running, s.ModulesDir, kver)
	}

	initPath, err := findGoinit(s.GoinitPath, s.Executable)
	if err != nil {
		return nil, err
	}
	goinit, err := loadGoinit(initPath)
	if err != nil {
		return nil, err
	}
	bb, err := chooseBusybox(s.BusyboxPath)
	if err != nil {
		return nil, err
	}

	s.progress("resolving modules for %s", kver)
	ix, err := modalias.Load(filepath.Join(s.ModulesDir, kver))
	if err != nil {
		return nil, fmt.Errorf("load module index of %s: %w", kver, err)
	}
	mods, err := s.selectModules(ix)
	if err != nil {
		return nil, err
	}
	if len(mods.missing) > 0 {
		s.warn("kernel %s has no module and no built-in for: %s", kver, strings.Join(mods.missing, ", "))
	}

	b := archive.New(epoch)
	if err := addLayout(b, goinit.data); err != nil {
		return nil, err
	}
	if s.packModules {
		s.progress("reading and packing %d modules", len(mods.names))
	} else {
		s.progress("reading %d modules", len(mods.names))
	}
	fwNames, err := addModules(b, ix, kver, mods.names, s.packModules)
	if err != nil {
		return nil, err
	}
	fw, err := addFirmware(b, s.FirmwareDir, kver, fwNames)
	if err != nil {
		return nil, err
	}
	applets := 0
	if bb.path != "" {
		if applets, err = addBusybox(b, bb.path); err != nil {
			return nil, err
		}
	}
	info := ImageInfo{
		Kernel: kver, GoinitSHA256: goinit.sha256, Modules: len(mods.names), Firmware: len(fw.added),
		Epoch: epoch, NICs: s.NICs, Busybox: bb.path != "",
	}
	if err := addImageInfo(b, info); err != nil {
		return nil, err
	}
	if err := s.addISCSISecrets(b); err != nil {
		return nil, err
	}

	s.progress("compressing %d files with %s into %s", b.Len(), s.compression, s.Output)
	sizes, err := b.WriteFile(s.Output, archive.WriteOptions{Compression: s.compression, Secret: s.ISCSISecrets != ""})
	if err != nil {
		return nil, err
	}
	sum := &Summary{
		Output: s.Output, Compression: s.compression, Size: sizes.File, ArchiveSize: sizes.Archive,
		Kernel: kver, RunningKernel: running, Modules: mods.names, MissingModules: mods.missing,
		Firmware: fw.added, FirmwareMissing: fw.missing, Files: b.Len(),
		Busybox: bb.path, BusyboxNote: bb.note, Applets: applets, NICs: mods.nicNote,
		Goinit: goinit.path, GoinitSHA256: goinit.sha256, Epoch: epoch, Duration: time.Since(start),
	}
	if s.Verbose {
		fmt.Fprint(s.Log, sum.verboseReport())
	}
	if !s.Quiet {
		fmt.Fprintln(s.Log, sum.String())
	}
	return sum, nil
}
