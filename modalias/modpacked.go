package modalias

import (
	"fmt"
	"os"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// ReadPackedModule unpacks a module file of an image: zstd (.ko.zst) is what mkinitramfs
// writes. The build side reads other forms too (internal/modfile); goinit does not need to
// carry their decoders, an image with other packed modules was not made by mkinitramfs.
func ReadPackedModule(path string) ([]byte, error) {
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
	return CheckELF(path, image)
}

// elfMagic starts every ELF file.
const elfMagic = "\x7fELF"

// CheckELF returns data if it starts like an ELF file.
func CheckELF(path string, data []byte) ([]byte, error) {
	if !strings.HasPrefix(string(data[:min(len(data), 4)]), elfMagic) {
		return nil, fmt.Errorf("read module %s: not an ELF file", path)
	}
	return data, nil
}
