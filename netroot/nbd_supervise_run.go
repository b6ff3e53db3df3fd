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
	nbdSuperviseTry        = 15 * time.Second // overlapping dials + handshakes with one server
	nbdSuperviseAttempt    = 5 * time.Second  // one dial + handshake
	nbdSuperviseBackoffMin = 250 * time.Millisecond
	nbdSuperviseBackoffMax = 5 * time.Second
)

// nbdReconnector replaces a dead connection of one device. Its fields are seams for tests.
type nbdReconnector struct {
	spec        NBDSupervisor
	dial        func(ctx context.Context, network, addr string) (net.Conn, error)
	reconfigure func(NBDReconfigureRequest) error
	logf        func(format string, a ...any)
	try         time.Duration // for one server (overlapping attempts)
	attempt     time.Duration // one dial + handshake
	stagger     time.Duration // start another attempt after this long
	backoffMin  time.Duration
	backoffMax  time.Duration
	next        int // index in spec.Servers to try first: the last one that worked
	// installed takes the connection the kernel now serves the device over (the stall
	// watchdog's copy); nil closes it.
	installed func(conn net.Conn, addr string)
}

func newNBDReconnector(spec NBDSupervisor, logf func(string, ...any)) *nbdReconnector {
	d := &net.Dialer{}
	return &nbdReconnector{
		spec: spec, dial: d.DialContext, reconfigure: NBDReconfigure, logf: logf,
		try: nbdSuperviseTry, attempt: nbdSuperviseAttempt, stagger: nbdStagger,
		backoffMin: nbdSuperviseBackoffMin, backoffMax: nbdSuperviseBackoffMax,
	}
}

// errNBDNotDead is the kernel's answer when no connection of the device is dead (ENOSPC from
// NBD_CMD_RECONFIGURE with a socket): nothing to replace.
var errNBDNotDead = errors.New("no dead connection to replace")

// reconnect tries the servers in turn, starting with the last one that worked, with back-off
// between rounds, until the kernel takes a new socket, reports that nothing is dead, or ctx ends.
// It returns the server that now serves the device.
func (r *nbdReconnector) reconnect(ctx context.Context) (string, error) {
	delay := r.backoffMin
	for round := 1; ; round++ {
		for i := range r.spec.Servers {
			k := (r.next + i) % len(r.spec.Servers)
			addr := r.spec.Servers[k]
			err := r.tryServer(ctx, addr)
			if err == nil || errors.Is(err, errNBDNotDead) {
				r.next = k
				return addr, err
			}
			if ctx.Err() != nil {
				return "", fmt.Errorf("reconnect %s: %w (last: %v)", nbdDeviceName(r.spec.Index), ctx.Err(), err)
			}
			if round <= 3 || round%12 == 0 { // then about once a minute
				r.logf("reconnect %s: round %d: %v", nbdDeviceName(r.spec.Index), round, err)
			}
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", fmt.Errorf("reconnect %s: %w", nbdDeviceName(r.spec.Index), ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, r.backoffMax)
	}
}

// tryServer connects to addr (overlapping attempts, the first failure ends them),
// negotiates the export, checks its size against the device's and hands the socket to the
// kernel.
func (r *nbdReconnector) tryServer(ctx context.Context, addr string) error {
	tctx, cancel := context.WithTimeout(ctx, r.try)
	defer cancel()
	dev := nbdDeviceName(r.spec.Index)
	race := &nbdRacer{
		addr: addr, export: r.spec.Export, dial: r.dial, stagger: r.stagger, attempt: r.attempt,
		maxLive: nbdMaxLive, logf: r.logf, what: fmt.Sprintf("reconnect %s to %s", dev, addr),
		firstFailureEnds: true,
	}
	conn, exp, err := race.run(tctx, nil)
	if err != nil {
		return err
	}
	if exp.Size != r.spec.Size {
		conn.Close()
		return fmt.Errorf("nbd %s export %q: size %d bytes, but %s has %d: not the same image", addr, r.spec.Export, exp.Size, dev, r.spec.Size)
	}
	if err := r.handOff(conn); err != nil {
		conn.Close()
		return err
	}
	if r.installed != nil {
		r.installed(conn, addr) // the kernel keeps its own reference; this copy is watched
	} else {
		conn.Close()
	}
	return nil
}

// nbdDeviceSize is the size in bytes the kernel has for /dev/nbd<index> (/sys/block/nbdN/size
// under sysRoot).
func nbdDeviceSize(sysRoot string, index int) (uint64, error) {
	p := filepath.Join(sysRoot, "/sys/block", fmt.Sprintf("nbd%d", index), "size")
	b, err := os.ReadFile(p)
	if err != nil {
		return 0, fmt.Errorf("read the device size: %w", err)
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n > math.MaxUint64/512 {
		return 0, fmt.Errorf("read the device size: %s holds %q", p, strings.TrimSpace(string(b)))
	}
	return n * 512, nil
}

func (r *nbdReconnector) handOff(conn net.Conn) error {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return fmt.Errorf("nbd reconfigure %s: connection %T has no file descriptor", nbdDeviceName(r.spec.Index), conn)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return fmt.Errorf("nbd reconfigure %s: %w", nbdDeviceName(r.spec.Index), err)
	}
	var rerr error
	if err := raw.Control(func(fd uintptr) {
		if fd > math.MaxInt32 {
			rerr = fmt.Errorf("nbd reconfigure %s: fd %d out of range", nbdDeviceName(r.spec.Index), fd)
			return
		}
		rerr = r.reconfigure(NBDReconfigureRequest{Index: r.spec.Index, FD: int(fd)})
	}); err != nil {
		return fmt.Errorf("nbd reconfigure %s: %w", nbdDeviceName(r.spec.Index), err)
	}
	if errors.Is(rerr, syscall.ENOSPC) {
		return fmt.Errorf("%w: %v", errNBDNotDead, rerr)
	}
	return rerr
}
