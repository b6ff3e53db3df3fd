package netroot

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// nbdFakeServer is the server end of a net.Pipe, driven by a test's script. I/O errors are
// recorded (the first one wins) and turn later calls into no-ops, so a script simply stops when
// the client hangs up.
type nbdFakeServer struct {
	c           net.Conn
	mu          sync.Mutex
	err         error
	clientFlags uint32
	options     []nbdSentOption
}

type nbdSentOption struct {
	opt  uint32
	data []byte
}

func (s *nbdFakeServer) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

func (s *nbdFakeServer) failed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err != nil
}

func (s *nbdFakeServer) raw(b []byte) {
	if s.failed() {
		return
	}
	if _, err := s.c.Write(b); err != nil {
		s.fail(err)
	}
}

func (s *nbdFakeServer) u16(v uint16) { s.raw(binary.BigEndian.AppendUint16(nil, v)) }
func (s *nbdFakeServer) u64(v uint64) { s.raw(binary.BigEndian.AppendUint64(nil, v)) }

func (s *nbdFakeServer) readFull(n int) []byte {
	if s.failed() {
		return make([]byte, n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(s.c, b); err != nil {
		s.fail(err)
	}
	return b
}

// greet sends the newstyle greeting with the handshake flags and reads the client's flags.
func (s *nbdFakeServer) greet(flags uint16) {
	s.raw([]byte("NBDMAGICIHAVEOPT"))
	s.u16(flags)
	s.clientFlags = binary.BigEndian.Uint32(s.readFull(4))
}

// option reads one option from the client.
func (s *nbdFakeServer) option() (uint32, []byte) {
	h := s.readFull(16)
	if s.failed() {
		return 0, nil
	}
	if binary.BigEndian.Uint64(h) != nbdOptMagic {
		s.fail(io.ErrUnexpectedEOF)
		return 0, nil
	}
	opt := binary.BigEndian.Uint32(h[8:])
	data := s.readFull(int(binary.BigEndian.Uint32(h[12:])))
	s.mu.Lock()
	s.options = append(s.options, nbdSentOption{opt, data})
	s.mu.Unlock()
	return opt, data
}

func (s *nbdFakeServer) reply(opt, typ uint32, data []byte) {
	b := binary.BigEndian.AppendUint64(nil, nbdReplyMagic)
	b = binary.BigEndian.AppendUint32(b, opt)
	b = binary.BigEndian.AppendUint32(b, typ)
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	s.raw(append(b, data...))
}

func (s *nbdFakeServer) infoExport(size uint64, flags uint16) {
	d := binary.BigEndian.AppendUint16(nil, nbdInfoExport)
	d = binary.BigEndian.AppendUint64(d, size)
	d = binary.BigEndian.AppendUint16(d, flags)
	s.reply(nbdOptGo, nbdRepInfo, d)
}

func (s *nbdFakeServer) infoBlockSize(min, pref, max uint32) {
	d := binary.BigEndian.AppendUint16(nil, nbdInfoBlockSize)
	d = binary.BigEndian.AppendUint32(d, min)
	d = binary.BigEndian.AppendUint32(d, pref)
	d = binary.BigEndian.AppendUint32(d, max)
	s.reply(nbdOptGo, nbdRepInfo, d)
}

func (s *nbdFakeServer) server(name string) {
	d := binary.BigEndian.AppendUint32(nil, uint32(len(name)))
	s.reply(nbdOptList, nbdRepServer, append(d, name...))
}

// stall reads and drops whatever the client sends until it hangs up.
func (s *nbdFakeServer) stall() { io.Copy(io.Discard, s.c) }

func (s *nbdFakeServer) sent() []nbdSentOption {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]nbdSentOption(nil), s.options...)
}

// nbdAddrConn gives a net.Pipe end a real-looking remote address for the error texts.
type nbdAddrConn struct {
	net.Conn
	remote string
}

type nbdFakeAddr string

func (a nbdFakeAddr) Network() string { return "tcp" }
func (a nbdFakeAddr) String() string  { return string(a) }

func (c nbdAddrConn) RemoteAddr() net.Addr { return nbdFakeAddr(c.remote) }

// nbdRunHandshake runs Handshake against script over net.Pipe, with a context of the given
// timeout, and returns when both sides are done. The server hangs up when the script returns.
func nbdRunHandshake(t testing.TB, timeout time.Duration, export string, script func(s *nbdFakeServer)) (*Export, error, *nbdFakeServer) {
	t.Helper()
	cli, srv := net.Pipe()
	s := &nbdFakeServer{c: srv}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer srv.Close()
		script(s)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	e, err := Handshake(ctx, nbdAddrConn{cli, "10.99.0.1:10809"}, export)
	cli.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("fake NBD server did not finish")
	}
	return e, err, s
}
