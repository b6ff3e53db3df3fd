//go:build nettest

package netroot

// The handshake against the real nbd-server (Debian package nbd-server) on 127.0.0.1:
//
//	go test -tags nettest -run TestNBDRealServer ./netroot/

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nbdStartServer runs nbd-server on a free loopback port with two exports, "ext4" (1 MiB,
// read-only) and "squash" (512 KiB), and stops it by its PID when the test ends.
func nbdStartServer(t *testing.T) (port int, ext4 []byte) {
	bin, err := exec.LookPath("nbd-server")
	if err != nil {
		t.Skip("nbd-server not installed (apt-get install nbd-server)")
	}
	dir := t.TempDir()
	ext4 = make([]byte, 1<<20)
	for i := range ext4 {
		ext4[i] = byte(i*7 + i/4096)
	}
	if err := os.WriteFile(filepath.Join(dir, "ext4.img"), ext4, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "squash.img"), make([]byte, 512<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	conf := fmt.Sprintf(`[generic]
listenaddr = 127.0.0.1
port = %d
allowlist = true
[ext4]
exportname = %s
readonly = true
[squash]
exportname = %s
`, port, filepath.Join(dir, "ext4.img"), filepath.Join(dir, "squash.img"))
	confPath, pidPath := filepath.Join(dir, "config"), filepath.Join(dir, "pid")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// nbd-server daemonizes; its PID lands in the pid file.
	if out, err := exec.Command(bin, "-C", confPath, "-p", pidPath).CombinedOutput(); err != nil {
		t.Fatalf("nbd-server: %v\n%s", err, out)
	}
	var pid int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		b, err := os.ReadFile(pidPath)
		if err == nil {
			if pid, err = strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 1 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("nbd-server wrote no pid file %s", pidPath)
		}
	}
	t.Cleanup(func() {
		syscall.Kill(pid, syscall.SIGTERM)
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if syscall.Kill(pid, 0) != nil {
				return
			}
		}
		syscall.Kill(pid, syscall.SIGKILL)
	})
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nbd-server (pid %d) does not listen on port %d: %v", pid, port, err)
		}
	}
	return port, ext4
}

func nbdDialHandshake(t *testing.T, port int, export string) (net.Conn, *Export, error) {
	conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e, err := Handshake(ctx, conn, export)
	return conn, e, err
}

func TestNBDRealServer(t *testing.T) {
	port, ext4 := nbdStartServer(t)

	t.Run("go ext4", func(t *testing.T) {
		conn, e, err := nbdDialHandshake(t, port, "ext4")
		if err != nil {
			t.Fatalf("Handshake: %v", err)
		}
		defer conn.Close()
		t.Logf("export: %+v", *e)
		if e.Name != "ext4" || e.Size != 1<<20 || !e.ReadOnly() || e.Flags&NBDFlagHasFlags == 0 {
			t.Errorf("Handshake = %+v, want 1 MiB read-only export ext4", *e)
		}
		// The connection must now be in transmission: one NBD_CMD_READ of 4 KiB at 64 KiB.
		req := binary.BigEndian.AppendUint32(nil, 0x25609513)
		req = binary.BigEndian.AppendUint16(req, 0) // command flags
		req = binary.BigEndian.AppendUint16(req, 0) // NBD_CMD_READ
		req = binary.BigEndian.AppendUint64(req, 0x1122334455667788)
		req = binary.BigEndian.AppendUint64(req, 64<<10)
		req = binary.BigEndian.AppendUint32(req, 4096)
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write(req); err != nil {
			t.Fatal(err)
		}
		rep := make([]byte, 16+4096)
		if _, err := io.ReadFull(conn, rep); err != nil {
			t.Fatalf("reading NBD_CMD_READ reply: %v", err)
		}
		if m, errno, h := binary.BigEndian.Uint32(rep), binary.BigEndian.Uint32(rep[4:]), binary.BigEndian.Uint64(rep[8:]); m != 0x67446698 || errno != 0 || h != 0x1122334455667788 {
			t.Fatalf("NBD_CMD_READ reply magic %#x error %d handle %#x", m, errno, h)
		}
		if !bytes.Equal(rep[16:], ext4[64<<10:68<<10]) {
			t.Errorf("NBD_CMD_READ returned other data than the export holds")
		}
	})

	t.Run("go squash", func(t *testing.T) {
		conn, e, err := nbdDialHandshake(t, port, "squash")
		if err != nil {
			t.Fatalf("Handshake: %v", err)
		}
		conn.Close()
		if e.Size != 512<<10 || e.ReadOnly() {
			t.Errorf("Handshake = %+v, want 512 KiB writable export squash", *e)
		}
	})

	t.Run("unknown export", func(t *testing.T) {
		conn, e, err := nbdDialHandshake(t, port, "rooot")
		conn.Close()
		want := fmt.Sprintf(`nbd export "rooot" not found on 127.0.0.1:%d; the server offers: "ext4", "squash"`, port)
		if err == nil || err.Error() != want {
			t.Fatalf("Handshake = %+v, %v\nwant error: %s", e, err, want)
		}
		var ue *NBDUnknownExportError
		if !errors.As(err, &ue) {
			t.Errorf("error %T is not an *NBDUnknownExportError", err)
		}
	})

	t.Run("attach with a stand-in kernel", func(t *testing.T) {
		k := &nbdFakeKernel{root: t.TempDir(), sectors: "2048"}
		a := nbdTestAttacher(NBDRoot{Server: "127.0.0.1", Port: uint16(port), Export: "ext4", Device: 1, FSType: "ext4"}, k)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m, err := a.Attach(ctx)
		if err != nil {
			t.Fatalf("Attach: %v", err)
		}
		if want := (Mount{Source: "/dev/nbd1", FSType: "ext4", Flags: nbdMSRdonly}); m != want {
			t.Errorf("Attach = %+v, want %+v", m, want)
		}
		if len(k.reqs) != 1 || k.reqs[0].Size != 1<<20 || k.reqs[0].ServerFlags&NBDFlagReadOnly == 0 || k.reqs[0].BlockSize != 512 {
			t.Errorf("kernel requests %+v", k.reqs)
		}
	})
}
