package build

import (
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/goinit/goinit/internal/archive"
)

// baseDirs are the empty directories of every image, with their modes.
var baseDirs = []struct {
	name string
	mode fs.FileMode // Unix octal: 0o1777 is sticky (see archive.Builder.AddDir)
}{
	{"/proc", 0o555}, {"/sys", 0o555}, {"/dev", 0o755}, {"/run", 0o755}, {"/newroot", 0o755},
	{"/tmp", 0o1777}, {"/root", 0o700}, {"/etc/goinit", 0o755}, {"/lib/firmware", 0o755},
}

// addLayout writes /init, goinit's modprobe link, the base directories and the device nodes
// the kernel needs before devtmpfs is mounted.
func addLayout(b *archive.Builder, goinit []byte) error {
	steps := []error{b.AddFile("/init", goinit, 0o755), b.AddSymlink("/lib/goinit/modprobe", "/init")}
	for _, d := range baseDirs {
		steps = append(steps, b.AddDir(d.name, d.mode))
	}
	steps = append(steps,
		b.AddCharDev("/dev/console", 0o600, 5, 1),
		b.AddCharDev("/dev/null", 0o666, 1, 3),
	)
	for _, err := range steps {
		if err != nil {
			return fmt.Errorf("lay out image: %w", err)
		}
	}
	return nil
}

// ImageInfo is /etc/goinit/image.json: the facts of the build, for the booted system and for
// whoever wonders what an image holds.
type ImageInfo struct {
	Kernel       string `json:"kernel"`
	GoinitSHA256 string `json:"goinit_sha256"`
	Modules      int    `json:"modules"`
	Firmware     int    `json:"firmware"`
	Epoch        int64  `json:"epoch"`
	NICs         string `json:"nics"`
	Busybox      bool   `json:"busybox"`
}

// ImageInfoPath is where the image carries its ImageInfo.
const ImageInfoPath = "/etc/goinit/image.json"

func addImageInfo(b *archive.Builder, info ImageInfo) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", ImageInfoPath, err)
	}
	return b.AddFile(ImageInfoPath, append(data, '\n'), 0o644)
}
