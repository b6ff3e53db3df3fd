package modalias

import (
	"fmt"
	"os"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// readPackedModule unpacks a module file of an image: zstd (.ko.zst) is what mkinitramfs
// writes. It is ReadModuleFile without the xz and gzip decoders, which goinit does not need
// to carry; an image with other packed modules was not made by mkinitramfs.
func readPackedModule(path string) ([]byte, error) {
	if !strings.HasSuffix(path, ".zst") {
		return nil, fmt.Errorf("read module %s: goinit unpacks .ko.zst only (build the image with mkinitramfs)", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read module %s: %w", path, err)
	}
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, fmt.Errorf("read module %s: zstd: %w", path, err)
	}
	defer d.Close()
	image, err := d.DecodeAll(data, make([]byte, 0, 3*len(data)))
	if err != nil {
		return nil, fmt.Errorf("read module %s: zstd: %w", path, err)
	}
	return checkELF(path, image)
}
