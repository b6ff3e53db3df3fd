package boot

import (
	"errors"
	"fmt"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rtcTime mirrors struct rtc_time from linux/rtc.h.
type rtcTime struct {
	Sec, Min, Hour, Mday, Mon, Year, Wday, Yday, Isdst int32
}

const rtcRdTime = 0x80247009 // _IOR('p', 0x09, struct rtc_time)

// setClock sets the system clock from /dev/rtc0 (taken as UTC), as `hwclock --hctosys` does.
// A machine without an RTC is not an error.
func (b *Boot) setClock() error {
	f, err := os.Open("/dev/rtc0")
	if errors.Is(err, os.ErrNotExist) {
		b.Log.Debugf("no /dev/rtc0: clock left as the kernel set it")
		return nil
	}
	if err != nil {
		return fmt.Errorf("open /dev/rtc0: %w", err)
	}
	defer f.Close()
	var rt rtcTime
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, f.Fd(), rtcRdTime, uintptr(unsafe.Pointer(&rt))); e != 0 {
		return fmt.Errorf("read /dev/rtc0 (RTC_RD_TIME): %w", e)
	}
	t := time.Date(int(rt.Year)+1900, time.Month(rt.Mon+1), int(rt.Mday), int(rt.Hour), int(rt.Min), int(rt.Sec), 0, time.UTC)
	tv := unix.NsecToTimeval(t.UnixNano())
	if err := unix.Settimeofday(&tv); err != nil {
		return fmt.Errorf("set the clock to %s from /dev/rtc0: %w", t.Format(time.RFC3339), err)
	}
	b.Log.Debugf("clock set from /dev/rtc0: %s", t.Format(time.RFC3339))
	return nil
}
