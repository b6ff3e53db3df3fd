package netroot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	nbdMSRdonly      = 0x1 // MS_RDONLY
	nbdDialTimeout   = 10 * time.Second
	nbdBackoffMin    = 250 * time.Millisecond
	nbdBackoffMax    = 5 * time.Second
	nbdDeviceTimeout = 10 * time.Second
	nbdDevicePoll    = 20 * time.Millisecond
)

// NewNBD returns the Attacher for an NBD root: it loads the nbd module through env.LoadModule
// (nothing loads it on demand: it has no module alias the kernel would ask for), dials the
// server (retrying with back-off until ctx ends), does the handshake, hands the socket to the
// kernel's nbd driver over generic netlink and waits until /dev/nbdN reports its size.
// A zero Port means 10809.
func NewNBD(r NBDRoot, env Env) Attacher {
	if r.Port == 0 {
		r.Port = NBDDefaultPort
	}
	d := &net.Dialer{}
	return &nbdAttacher{
		root:       r,
		load:       env.LoadModule,
		logf:       env.Logf,
		dial:       d.DialContext,
		connect:    NBDConnect,
		disconnect: NBDDisconnect,
		backoffMin: nbdBackoffMin,
		backoffMax: nbdBackoffMax,
		stagger:    nbdStagger,
		attempt:    nbdAttempt,
	}
}

type nbdAttacher struct {
	root NBDRoot
	load func(ctx context.Context, name string) error // nil: the nbd module is loaded already
	// Seams for tests: the dialer, the kernel hand-off, and a prefix for /sys and /dev.
	dial       func(ctx context.Context, network, addr string) (net.Conn, error)
	connect    func(NBDConnectRequest) (int, error)
	disconnect func(index int) error
	sysRoot    string
	logf       func(string, ...any) // progress while the server does not answer

	backoffMin, backoffMax time.Duration
	stagger, attempt       time.Duration // see nbdRacer

	// sock is a copy of the socket handed to the kernel, for the supervisor's stall watchdog
	// (NBDSupervision); nil when the copy failed.
	sock *os.File
}

func (a *nbdAttacher) String() string { return a.root.String() }

func (a *nbdAttacher) Attach(ctx context.Context) (Mount, error) {
	m, err := a.attach(ctx)
	if err != nil {
		return Mount{}, fmt.Errorf("attach %s: %w", a, err)
	}
	return m, nil
}

func (a *nbdAttacher) attach(ctx context.Context) (Mount, error) {
	if a.load != nil {
		if err := a.load(ctx, "nbd"); err != nil {
			return Mount{}, fmt.Errorf("load the nbd module: %w", err)
		}
	}
	conn, exp, err := a.negotiate(ctx)
	if err != nil {
		return Mount{}, err
	}
	defer conn.Close() // the kernel keeps its own reference after NBD_CMD_CONNECT
	bs, err := nbdKernelBlockSize(exp, os.Getpagesize())
	if err != nil {
		return Mount{}, err
	}
	req := NBDConnectRequest{
		Index:           a.root.Device,
		Size:            exp.Size,
		BlockSize:       bs,
		ServerFlags:     exp.Flags,
		Timeout:         a.root.Timeout,
		DeadConnTimeout: a.root.DeadConnTimeout,
	}
	index, err := a.handOff(conn, req)
	if err != nil {
		return Mount{}, err
	}
	if err := a.waitDevice(ctx, index); err != nil {
		if derr := a.disconnect(index); derr != nil {
			err = fmt.Errorf("%w (and %v)", err, derr)
		}
		return Mount{}, err
	}
	a.keepSock(conn)
	m := Mount{Source: fmt.Sprintf("/dev/nbd%d", index), FSType: a.root.FSType, Data: a.root.Options}
	if a.root.ReadOnly || exp.ReadOnly() {
		m.Flags |= nbdMSRdonly
	}
	return m, nil
}

// negotiate connects to the server and does the handshake, in overlapping attempts (nbdRacer)
// with back-off after failures, until one succeeds, the server gives a final answer or ctx
// ends; the error then is the last attempt's with the count of attempts.
func (a *nbdAttacher) negotiate(ctx context.Context) (net.Conn, *Export, error) {
	prog := newProgress(a.logf, a.String())
	r := &nbdRacer{
		addr: a.root.Addr(), export: a.root.Export, dial: a.dial,
		stagger: a.stagger, attempt: a.attempt, maxLive: nbdMaxLive,
		backoffMin: a.backoffMin, backoffMax: a.backoffMax, logf: a.logf, what: a.String(),
	}
	return r.run(ctx, func(attempt int, err error) { prog.note(ctx, attempt, err) })
}

// keepSock keeps a copy of the handed-over socket for the supervisor (its stall watchdog).
// Without one the root still works; only a stalled connection goes unnoticed longer.
func (a *nbdAttacher) keepSock(conn net.Conn) {
	if a.sock != nil {
		a.sock.Close()
		a.sock = nil
	}
	fc, ok := conn.(interface{ File() (*os.File, error) })
	if !ok {
		return
	}
	f, err := fc.File()
	if err != nil {
		if a.logf != nil {
			a.logf("warning: %s: keep a copy of the socket for the stall watchdog: %v", a, err)
		}
		return
	}
	a.sock = f
}

// nbdCtxOver reports whether ctx is done or its deadline has passed (a dial may notice the
// deadline before ctx does).
func nbdCtxOver(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

func nbdGaveUp(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "gave up at the deadline"
	}
	return "canceled"
}

// handOff passes conn's socket to the kernel.
func (a *nbdAttacher) handOff(conn net.Conn, req NBDConnectRequest) (int, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return -1, fmt.Errorf("nbd connect %s: connection %T has no file descriptor", nbdDeviceName(req.Index), conn)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1, fmt.Errorf("nbd connect %s: %w", nbdDeviceName(req.Index), err)
	}
	index := -1
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		if fd > math.MaxInt32 {
			cerr = fmt.Errorf("nbd connect %s: fd %d out of range", nbdDeviceName(req.Index), fd)
			return
		}
		req.FD = int(fd)
		index, cerr = a.connect(req)
	}); err != nil {
		return -1, fmt.Errorf("nbd connect %s: %w", nbdDeviceName(req.Index), err)
	}
	return index, cerr
}

// waitDevice waits until /sys/block/nbdN/size is not zero and /dev/nbdN exists, for at most
// nbdDeviceTimeout (or until ctx ends).
func (a *nbdAttacher) waitDevice(ctx context.Context, index int) error {
	name := fmt.Sprintf("nbd%d", index)
	sizePath := filepath.Join(a.sysRoot, "/sys/block", name, "size")
	devPath := filepath.Join(a.sysRoot, "/dev", name)
	wait := nbdDeviceTimeout
	if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
		wait = max(time.Until(d), 0)
	}
	deadline := time.Now().Add(wait)
	for {
		why := nbdDeviceNotReady(sizePath, devPath)
		if why == "" {
			return nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("/dev/%s was connected but not ready within %s: %s", name, wait.Round(100*time.Millisecond), why)
		}
		t := time.NewTimer(min(nbdDevicePoll, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("/dev/%s was connected but not ready (%s): %w", name, why, ctx.Err())
			}
			deadline = time.Now() // report it as the timeout it is, after one last look
		case <-t.C:
		}
	}
}

// nbdDeviceNotReady says why the device is not ready yet, or "" when it is.
func nbdDeviceNotReady(sizePath, devPath string) string {
	b, err := os.ReadFile(sizePath)
	if err != nil {
		return err.Error()
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return fmt.Sprintf("%s holds %q", sizePath, strings.TrimSpace(string(b)))
	}
	if n == 0 {
		return sizePath + " is 0"
	}
	if _, err := os.Stat(devPath); err != nil {
		return err.Error()
	}
	return ""
}

// nbdKernelBlockSize picks the logical block size for the kernel: 512, or the server's
// minimum block size when that is larger. Not the server's preferred size: a 4096-byte logical
// block would make filesystems with smaller blocks (ext4 images under 512 MiB get 1 KiB
// blocks) unmountable, and the kernel sends large requests anyway.
func nbdKernelBlockSize(e *Export, pageSize int) (uint32, error) {
	bs := uint32(512)
	if e.MinBlock > bs {
		bs = e.MinBlock
	}
	switch {
	case int64(bs) > int64(pageSize):
		return 0, fmt.Errorf("export %q needs blocks of at least %d bytes; the kernel's limit is %d", e.Name, bs, pageSize)
	case e.MaxBlock != 0 && e.MaxBlock < bs:
		return 0, fmt.Errorf("export %q takes blocks of at most %d bytes; the kernel needs %d", e.Name, e.MaxBlock, bs)
	case e.Size < uint64(bs):
		return 0, fmt.Errorf("export %q has %d bytes, less than one %d-byte block", e.Name, e.Size, bs)
	case e.Size > math.MaxInt64:
		return 0, fmt.Errorf("export %q has %d bytes, more than the kernel can address", e.Name, e.Size)
	}
	return bs, nil
}
