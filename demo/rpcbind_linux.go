package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// rpcbindLock is the machine-wide lock the end-to-end tests take around their rpcbind
// (tests/e2e/servers_nfs_test.go): rpcbind listens on /run/rpcbind.sock, which network
// namespaces do not separate, so only one rpcbind may run on a machine at a time.
const (
	rpcbindLock = "/run/goinit-e2e-rpcbind.lock"
	rpcbindSock = "/run/rpcbind.sock"
)

// lockRPCBind takes rpcbindLock, waiting up to wait while the tests hold it, then refuses when
// an rpcbind that is not under the lock runs (the host's own, or systemd's rpcbind.socket). The
// returned function releases the lock.
func lockRPCBind(ctx context.Context, wait time.Duration) (func() error, error) {
	f, err := os.OpenFile(rpcbindLock, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock rpcbind %s: %w", rpcbindLock, err)
	}
	start := time.Now()
	told := false
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock rpcbind %s: %w", rpcbindLock, err)
		}
		if time.Since(start) > wait {
			f.Close()
			return nil, fmt.Errorf("lock rpcbind %s: held by another process for %s (end-to-end tests running NFS?): run the demo when they have ended", rpcbindLock, wait)
		}
		if !told {
			say("    waiting for the end-to-end tests to release rpcbind (only one per machine; lock %s)", rpcbindLock)
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	if told {
		say("    waited %s for the lock", time.Since(start).Round(100*time.Millisecond))
	}
	release := func() error {
		defer f.Close()
		return unix.Flock(int(f.Fd()), unix.LOCK_UN)
	}
	if err := foreignRPCBind(ctx); err != nil {
		release() //nolint:errcheck // closing the file releases the lock anyway
		return nil, err
	}
	return release, nil
}

// foreignRPCBind fails when an rpcbind runs (after a grace of a few seconds for one that is
// stopping) or something else listens on /run/rpcbind.sock.
func foreignRPCBind(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		pid, cmdline := processNamed("rpcbind")
		if pid == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("start rpcbind: another rpcbind runs (pid %d: %s); the demo's NFS server needs its own and only one fits on a machine (%s): stop it first (systemctl stop rpcbind.socket rpcbind) and run make demo again", pid, cmdline, rpcbindSock)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	if table, err := os.ReadFile("/proc/net/unix"); err == nil && unixListening(string(table), rpcbindSock) {
		return fmt.Errorf("start rpcbind: something listens on %s (systemd's rpcbind.socket?): stop it first (systemctl stop rpcbind.socket rpcbind) and run make demo again", rpcbindSock)
	}
	return nil
}

// processNamed returns the PID and command line of a process whose /proc/PID/comm is name.
func processNamed(name string) (int, string) {
	comms, _ := filepath.Glob("/proc/[0-9]*/comm")
	for _, c := range comms {
		b, err := os.ReadFile(c)
		if err != nil || strings.TrimSpace(string(b)) != name {
			continue
		}
		dir := filepath.Dir(c)
		pid, _ := strconv.Atoi(filepath.Base(dir))
		cl, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		return pid, strings.TrimSpace(strings.ReplaceAll(string(cl), "\x00", " "))
	}
	return 0, ""
}

// unixListening reports whether /proc/net/unix lists a listening socket (flag __SO_ACCEPTCON,
// 0x10000) bound to path.
func unixListening(table, path string) bool {
	lines := strings.Split(table, "\n")
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) < 8 || f[7] != path {
			continue
		}
		flags, err := strconv.ParseUint(f[3], 16, 32)
		if err == nil && flags&0x10000 != 0 {
			return true
		}
	}
	return false
}
