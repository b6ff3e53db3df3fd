package idmap

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// ServeRequestKey is main for /sbin/request-key, as the kernel runs it:
// request-key create <key> <uid> <gid> <thread-keyring> <process-keyring> <session-keyring>.
// It instantiates id_resolver keys it can answer from TablePath without a timeout and refuses
// every other key for negativeS seconds. It never touches the NFS root: a helper that waits on
// it is the hang this package exists to avoid. It returns the exit status.
func ServeRequestKey(args []string) int {
	if err := serve(args); err != nil {
		fmt.Fprintf(os.Stderr, "goinit request-key: %v\n", err)
		return 1
	}
	return 0
}

func serve(args []string) error {
	if len(args) < 6 || args[1] != "create" {
		return fmt.Errorf("run %q: want request-key create <key> <uid> <gid> <thread-keyring> …, as the kernel calls it", args)
	}
	key, err := strconv.Atoi(args[2])
	if err != nil || key <= 0 {
		return fmt.Errorf("parse key %q: want a key serial number", args[2])
	}
	ring, _ := strconv.Atoi(args[5]) // the thread keyring: the NFS client's .id_resolver
	if _, err := unix.KeyctlInt(unix.KEYCTL_ASSUME_AUTHORITY, key, 0, 0, 0); err != nil {
		return fmt.Errorf("assume authority over key %d: %w", key, err)
	}
	d, err := unix.KeyctlString(unix.KEYCTL_DESCRIBE, key)
	if err != nil {
		return negate(key, fmt.Errorf("describe key %d: %w", key, err))
	}
	typ, desc, err := ParseDescribe(d)
	if err != nil {
		return negate(key, err)
	}
	if typ != KeyType {
		return negate(key, nil)
	}
	record(ring, desc)
	r, err := ParseRequest(desc)
	if err != nil {
		return negate(key, err)
	}
	data, err := os.ReadFile(TablePath)
	if err != nil { // no table yet: goinit writes it once the root is mounted
		return negate(key, nil)
	}
	t, err := ParseTable(data)
	if err != nil {
		return negate(key, err)
	}
	id, ok := t.Lookup(r)
	if !ok {
		return negate(key, nil)
	}
	payload := []byte(strconv.FormatUint(uint64(id), 10))
	iov := []unix.Iovec{{Base: &payload[0]}}
	iov[0].SetLen(len(payload))
	if err := unix.KeyctlInstantiateIOV(key, iov, 0); err != nil {
		return negate(key, fmt.Errorf("instantiate key %d %q as %s: %w", key, desc, payload, err))
	}
	return nil
}

// negate refuses the key for negativeS seconds and returns cause.
func negate(key int, cause error) error {
	if _, err := unix.KeyctlInt(unix.KEYCTL_NEGATE, key, negativeS, 0, 0); err != nil && cause == nil {
		return fmt.Errorf("negate key %d: %w", key, err)
	}
	return cause
}

// record appends the request to AskedPath; goinit reads it to learn that the server sends names.
func record(ring int, desc string) {
	f, err := os.OpenFile(AskedPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	f.WriteString(AskedLine(ring, desc))
	f.Close()
}

// ClearKeyring unlinks every key from the NFS client's .id_resolver keyring, as nfsidmap -c
// does (the kernel lets root clear it), so the next mapping of each name asks the helper again.
func ClearKeyring(ring int) error {
	if _, err := unix.KeyctlInt(unix.KEYCTL_CLEAR, ring, 0, 0, 0); err != nil {
		return fmt.Errorf("clear keyring %d: %w", ring, err)
	}
	return nil
}
