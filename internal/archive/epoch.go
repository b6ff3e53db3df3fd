package archive

import (
	"fmt"
	"os"
	"strconv"
)

// EpochEnv is the environment variable that fixes the timestamps of a reproducible build
// (https://reproducible-builds.org/specs/source-date-epoch/).
const EpochEnv = "SOURCE_DATE_EPOCH"

// SourceDateEpoch returns the mtime every record gets: the value of SOURCE_DATE_EPOCH when it is
// set and not empty, else 0.
func SourceDateEpoch() (int64, error) {
	return ParseEpoch(os.Getenv(EpochEnv))
}

// ParseEpoch parses a SOURCE_DATE_EPOCH value; "" means 0. A newc header holds 32 bits of mtime,
// so the value must fit in an unsigned 32-bit number.
func ParseEpoch(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("parse %s=%q: want seconds since 1970 as a decimal integer from 0 to %d", EpochEnv, s, uint32(1<<32-1))
	}
	return int64(v), nil
}
