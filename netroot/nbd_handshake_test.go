package netroot

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

const nbdFixedNoZeroes = nbdFlagFixedNewstyle | nbdFlagNoZeroes

// nbdGoData is what the client must send with NBD_OPT_GO: the name and one info request for
// NBD_INFO_BLOCK_SIZE.
func nbdGoData(name string) []byte {
	d := binary.BigEndian.AppendUint32(nil, uint32(len(name)))
	d = append(d, name...)
	d = binary.BigEndian.AppendUint16(d, 1)
	return binary.BigEndian.AppendUint16(d, nbdInfoBlockSize)
}

func TestHandshakeSuccess(t *testing.T) {
	tests := []struct {
		name        string
		script      func(s *nbdFakeServer)
		want        Export
		clientFlags uint32
		options     []nbdSentOption
	}{
		{
			name: "go with block sizes",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepInfo, []byte{0, nbdInfoName, 'r', 'o', 'o', 't'})
				s.infoExport(64<<20, NBDFlagHasFlags|NBDFlagReadOnly|NBDFlagSendFlush)
				s.infoBlockSize(1, 4096, 32<<20)
				s.reply(nbdOptGo, nbdRepInfo, []byte{0x12, 0x34, 1, 2, 3}) // unknown info type
				s.reply(nbdOptGo, nbdRepAck, nil)
			},
			want:        Export{Name: "root", Size: 64 << 20, Flags: NBDFlagHasFlags | NBDFlagReadOnly | NBDFlagSendFlush, MinBlock: 1, PrefBlock: 4096, MaxBlock: 32 << 20},
			clientFlags: nbdFixedNoZeroes,
			options:     []nbdSentOption{{nbdOptGo, nbdGoData("root")}},
		},
		{
			name: "go without block sizes",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFlagFixedNewstyle)
				s.option()
				s.infoExport(4096, NBDFlagHasFlags)
				s.reply(nbdOptGo, nbdRepAck, nil)
			},
			want:        Export{Name: "root", Size: 4096, Flags: NBDFlagHasFlags},
			clientFlags: nbdFlagFixedNewstyle,
			options:     []nbdSentOption{{nbdOptGo, nbdGoData("root")}},
		},
		{
			name: "go unsupported, export name fallback without zeroes",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepErrUnsup, []byte("unknown option"))
				s.option()
				s.u64(1 << 30)
				s.u16(NBDFlagHasFlags | NBDFlagSendFlush)
			},
			want:        Export{Name: "root", Size: 1 << 30, Flags: NBDFlagHasFlags | NBDFlagSendFlush},
			clientFlags: nbdFixedNoZeroes,
			options:     []nbdSentOption{{nbdOptGo, nbdGoData("root")}, {nbdOptExportName, []byte("root")}},
		},
		{
			name: "go unsupported after info, export name fallback with zeroes",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFlagFixedNewstyle)
				s.option()
				s.infoExport(99, 0)
				s.reply(nbdOptGo, nbdRepErrUnsup, nil)
				s.option()
				s.u64(8192)
				s.u16(NBDFlagHasFlags)
				s.raw(make([]byte, 124))
			},
			want:        Export{Name: "root", Size: 8192, Flags: NBDFlagHasFlags},
			clientFlags: nbdFlagFixedNewstyle,
			options:     []nbdSentOption{{nbdOptGo, nbdGoData("root")}, {nbdOptExportName, []byte("root")}},
		},
		{
			name: "plain newstyle server goes straight to export name",
			script: func(s *nbdFakeServer) {
				s.greet(0)
				s.option()
				s.u64(512)
				s.u16(NBDFlagHasFlags | NBDFlagReadOnly)
				s.raw(make([]byte, 124))
			},
			want:        Export{Name: "root", Size: 512, Flags: NBDFlagHasFlags | NBDFlagReadOnly},
			clientFlags: 0,
			options:     []nbdSentOption{{nbdOptExportName, []byte("root")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err, s := nbdRunHandshake(t, 5*time.Second, "root", tt.script)
			if err != nil {
				t.Fatalf("Handshake: %v", err)
			}
			if *e != tt.want {
				t.Errorf("Handshake = %+v, want %+v", *e, tt.want)
			}
			if s.clientFlags != tt.clientFlags {
				t.Errorf("client flags %#x, want %#x", s.clientFlags, tt.clientFlags)
			}
			got := s.sent()
			if len(got) != len(tt.options) {
				t.Fatalf("client sent %d options %v, want %d", len(got), got, len(tt.options))
			}
			for i := range got {
				if got[i].opt != tt.options[i].opt || !bytes.Equal(got[i].data, tt.options[i].data) {
					t.Errorf("option %d = %d %q, want %d %q", i, got[i].opt, got[i].data, tt.options[i].opt, tt.options[i].data)
				}
			}
		})
	}
}

func TestHandshakeErrors(t *testing.T) {
	const pfx = "nbd handshake with 10.99.0.1:10809: "
	tests := []struct {
		name    string
		export  string
		timeout time.Duration
		script  func(s *nbdFakeServer)
		want    string
		is      error
	}{
		{
			name: "unknown export lists exports",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepErrUnknown, []byte("Export unknown"))
				s.option()
				s.server("ext4")
				s.server("squash")
				s.reply(nbdOptList, nbdRepAck, nil)
				s.option() // NBD_OPT_ABORT
			},
			want: `nbd export "rooot" not found on 10.99.0.1:10809; the server offers: "ext4", "squash"`,
		},
		{
			name: "unknown export, server offers nothing",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepErrUnknown, nil)
				s.option()
				s.reply(nbdOptList, nbdRepAck, nil)
			},
			want: `nbd export "rooot" not found on 10.99.0.1:10809; the server offers no exports`,
		},
		{
			name: "unknown export, list refused",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepErrUnknown, nil)
				s.option()
				s.reply(nbdOptList, nbdRepErrPolicy, []byte("listing disabled"))
			},
			want: `nbd export "rooot" not found on 10.99.0.1:10809; the server refused to list its exports: NBD_REP_ERR_POLICY (forbidden by server policy): server says "listing disabled"`,
		},
		{
			name: "unknown export, list cut off",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepErrUnknown, nil)
				s.option()
				s.server("ext4")
			},
			want: `nbd export "rooot" not found on 10.99.0.1:10809; listing its exports failed: ` + pfx + `server closed the connection before the reply to NBD_OPT_LIST: unexpected EOF`,
			is:   io.ErrUnexpectedEOF,
		},
		{
			name: "unknown export, malformed server reply",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepErrUnknown, nil)
				s.option()
				s.reply(nbdOptList, nbdRepServer, []byte{0, 0, 0, 9, 'x'})
			},
			want: `nbd export "rooot" not found on 10.99.0.1:10809; listing its exports failed: ` + pfx + `malformed NBD_REP_SERVER reply of 5 bytes`,
		},
		{
			name:   "bad magic",
			script: func(s *nbdFakeServer) { s.raw([]byte("HTTP/1.1 200 OK\r\n")) },
			want:   pfx + `not an NBD server: greeting "HTTP/1.1", expected "NBDMAGIC"`,
		},
		{
			name:   "bad second magic",
			script: func(s *nbdFakeServer) { s.raw([]byte("NBDMAGICIHAVEOPX\x00\x03")) },
			want:   pfx + `unexpected magic 0x49484156454f5058 ("IHAVEOPX") after NBDMAGIC, expected "IHAVEOPT"`,
		},
		{
			name: "oldstyle server",
			script: func(s *nbdFakeServer) {
				s.raw([]byte("NBDMAGIC"))
				s.u64(nbdOldstyleMagic)
				s.raw(make([]byte, 2))
			},
			want: pfx + "server speaks the oldstyle handshake, which has no export names; goinit needs a newstyle server",
		},
		{
			name:   "greeting truncated",
			script: func(s *nbdFakeServer) { s.raw([]byte("NBDM")) },
			want:   pfx + "server closed the connection in the middle of the server's greeting (got 4 of 8 bytes): unexpected EOF",
			is:     io.ErrUnexpectedEOF,
		},
		{
			name:   "no greeting",
			script: func(s *nbdFakeServer) {},
			want:   pfx + "server closed the connection before the server's greeting: unexpected EOF",
			is:     io.ErrUnexpectedEOF,
		},
		{
			name: "bad reply magic",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.raw([]byte("NBDMAGIC\x00\x00\x00\x07\x00\x00\x00\x01\x00\x00\x00\x00"))
			},
			want: pfx + `reply to NBD_OPT_GO: bad magic 0x4e42444d41474943 ("NBDMAGIC"), expected 0x0003e889045565a9`,
		},
		{
			name: "reply for another option",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptList, nbdRepAck, nil)
			},
			want: pfx + "reply to NBD_OPT_GO is for NBD_OPT_LIST",
		},
		{
			name: "zero size",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.infoExport(0, NBDFlagHasFlags)
				s.reply(nbdOptGo, nbdRepAck, nil)
			},
			want: pfx + `export "rooot" has size 0`,
		},
		{
			name: "zero size after export name",
			script: func(s *nbdFakeServer) {
				s.greet(0)
				s.option()
				s.u64(0)
				s.u16(NBDFlagHasFlags)
				s.raw(make([]byte, 124))
			},
			want: pfx + `export "rooot" has size 0`,
		},
		{
			name: "truncated reply",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				b := binary.BigEndian.AppendUint64(nil, nbdReplyMagic)
				b = binary.BigEndian.AppendUint32(b, nbdOptGo)
				b = binary.BigEndian.AppendUint32(b, nbdRepInfo)
				b = binary.BigEndian.AppendUint32(b, 12)
				s.raw(append(b, 0, 0, 0, 0, 1))
			},
			want: pfx + "server closed the connection in the middle of the NBD_REP_INFO reply to NBD_OPT_GO (got 5 of 12 bytes): unexpected EOF",
			is:   io.ErrUnexpectedEOF,
		},
		{
			name: "truncated reply header",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.u64(nbdReplyMagic)
			},
			want: pfx + "server closed the connection in the middle of the reply to NBD_OPT_GO (got 8 of 20 bytes): unexpected EOF",
			is:   io.ErrUnexpectedEOF,
		},
		{
			name: "oversized reply",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				b := binary.BigEndian.AppendUint64(nil, nbdReplyMagic)
				b = binary.BigEndian.AppendUint32(b, nbdOptGo)
				b = binary.BigEndian.AppendUint32(b, nbdRepInfo)
				s.raw(binary.BigEndian.AppendUint32(b, 1<<20))
			},
			want: pfx + "NBD_REP_INFO reply to NBD_OPT_GO: length 1048576 exceeds the limit of 65536 bytes",
		},
		{
			name: "timeout",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.stall() // and never answer
			},
			timeout: 300 * time.Millisecond,
			want:    pfx + "timed out after 300ms waiting for the reply to NBD_OPT_GO: context deadline exceeded",
			is:      context.DeadlineExceeded,
		},
		{
			name:    "timeout before the greeting",
			script:  func(s *nbdFakeServer) {},
			timeout: -time.Second,
			want:    pfx + "timed out after 0s waiting for the server's greeting: context deadline exceeded",
			is:      context.DeadlineExceeded,
		},
		{
			name: "go refused by policy",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepErrPolicy, []byte("access denied"))
				s.option() // NBD_OPT_ABORT
			},
			want: pfx + `server refused NBD_OPT_GO for export "rooot": NBD_REP_ERR_POLICY (forbidden by server policy): server says "access denied"`,
		},
		{
			name: "tls required",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepErrTLSReqd, nil)
			},
			want: pfx + `server refused NBD_OPT_GO for export "rooot": NBD_REP_ERR_TLS_REQD (the server requires TLS, which goinit does not speak)`,
		},
		{
			name: "unknown error reply",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepFlagError|77, nil)
			},
			want: pfx + `server refused NBD_OPT_GO for export "rooot": error reply 0x8000004d`,
		},
		{
			name: "unexpected reply type",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepServer, nil)
			},
			want: pfx + "unexpected NBD_REP_SERVER to NBD_OPT_GO",
		},
		{
			name: "ack without export info",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.infoBlockSize(1, 4096, 1<<20)
				s.reply(nbdOptGo, nbdRepAck, nil)
			},
			want: pfx + "server accepted NBD_OPT_GO without sending NBD_INFO_EXPORT",
		},
		{
			name: "short export info",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepInfo, []byte{0, 0, 1, 2, 3})
			},
			want: pfx + "NBD_INFO_EXPORT of 5 bytes, expected 12",
		},
		{
			name: "short block size info",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepInfo, []byte{0, 3, 1, 2, 3})
			},
			want: pfx + "NBD_INFO_BLOCK_SIZE of 5 bytes, expected 14",
		},
		{
			name: "info without type",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepInfo, []byte{0})
			},
			want: pfx + "NBD_REP_INFO of 1 bytes is too short for its type",
		},
		{
			name: "invalid block sizes",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.infoExport(1<<20, NBDFlagHasFlags)
				s.infoBlockSize(3, 4096, 1<<20)
				s.reply(nbdOptGo, nbdRepAck, nil)
			},
			want: pfx + "invalid NBD_INFO_BLOCK_SIZE: minimum 3, preferred 4096, maximum 1048576",
		},
		{
			name: "export name refused",
			script: func(s *nbdFakeServer) {
				s.greet(nbdFixedNoZeroes)
				s.option()
				s.reply(nbdOptGo, nbdRepErrUnsup, nil)
				s.option()
			},
			want: pfx + `server closed the connection after NBD_OPT_EXPORT_NAME "rooot": the export does not exist or access was denied`,
		},
		{
			name: "export name reply truncated",
			script: func(s *nbdFakeServer) {
				s.greet(0)
				s.option()
				s.u64(4096)
				s.u16(NBDFlagHasFlags)
				s.raw(make([]byte, 100))
			},
			want: pfx + "server closed the connection in the middle of the reply to NBD_OPT_EXPORT_NAME (got 100 of 124 bytes): unexpected EOF",
			is:   io.ErrUnexpectedEOF,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			export := "rooot"
			if tt.export != "" {
				export = tt.export
			}
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			e, err, _ := nbdRunHandshake(t, timeout, export, tt.script)
			if err == nil {
				t.Fatalf("Handshake = %+v, want error %q", e, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Handshake error\n got: %s\nwant: %s", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Handshake error %v is not %v", err, tt.is)
			}
		})
	}
}

func TestHandshakeUnknownExportDetails(t *testing.T) {
	_, err, s := nbdRunHandshake(t, 5*time.Second, "rooot", func(s *nbdFakeServer) {
		s.greet(nbdFixedNoZeroes)
		s.option()
		s.reply(nbdOptGo, nbdRepErrUnknown, nil)
		s.option()
		s.server("ext4")
		s.server("squash")
		s.reply(nbdOptList, nbdRepAck, nil)
		s.option()
	})
	var ue *NBDUnknownExportError
	if !errors.As(err, &ue) {
		t.Fatalf("Handshake error %v is not an *NBDUnknownExportError", err)
	}
	if ue.Export != "rooot" || ue.Server != "10.99.0.1:10809" || len(ue.Offered) != 2 || ue.Offered[0] != "ext4" || ue.Offered[1] != "squash" {
		t.Errorf("NBDUnknownExportError = %+v", *ue)
	}
	var opts []uint32
	for _, o := range s.sent() {
		opts = append(opts, o.opt)
	}
	if want := []uint32{nbdOptGo, nbdOptList, nbdOptAbort}; len(opts) != 3 || opts[0] != want[0] || opts[1] != want[1] || opts[2] != want[2] {
		t.Errorf("client sent options %v, want %v", opts, want)
	}
}

func TestNBDUnknownExportErrorManyNames(t *testing.T) {
	e := &NBDUnknownExportError{Export: "x", Server: "h:1"}
	for i := 0; i < 34; i++ {
		e.Offered = append(e.Offered, string(rune('a'+i%26)))
	}
	const want = `nbd export "x" not found on h:1; the server offers: "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "a", "b", "c", "d", "e", "f" and 2 more`
	if got := e.Error(); got != want {
		t.Errorf("Error()\n got: %s\nwant: %s", got, want)
	}
}

func TestHandshakeCancel(t *testing.T) {
	cli, srv := net.Pipe()
	defer srv.Close()
	go func() {
		s := &nbdFakeServer{c: srv}
		s.greet(nbdFixedNoZeroes)
		s.option()
		io.Copy(io.Discard, srv)
	}()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := Handshake(ctx, nbdAddrConn{cli, "10.99.0.1:10809"}, "root")
	cli.Close()
	const want = "nbd handshake with 10.99.0.1:10809: canceled while waiting for the reply to NBD_OPT_GO: context canceled"
	if err == nil || err.Error() != want {
		t.Fatalf("Handshake error\n got: %v\nwant: %s", err, want)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Handshake error %v is not context.Canceled", err)
	}
}

func TestHandshakeClearsDeadline(t *testing.T) {
	cli, srv := net.Pipe()
	defer cli.Close()
	defer srv.Close()
	go func() {
		s := &nbdFakeServer{c: srv}
		s.greet(nbdFixedNoZeroes)
		s.option()
		s.infoExport(4096, NBDFlagHasFlags)
		s.reply(nbdOptGo, nbdRepAck, nil)
		time.Sleep(300 * time.Millisecond)
		s.raw([]byte("x"))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := Handshake(ctx, cli, "root"); err != nil {
		t.Fatal(err)
	}
	// The context's deadline must not stay on the connection.
	b := make([]byte, 1)
	if _, err := cli.Read(b); err != nil {
		t.Fatalf("read after Handshake: %v", err)
	}
}

func TestHandshakeLongExportName(t *testing.T) {
	cli, srv := net.Pipe()
	defer cli.Close()
	defer srv.Close()
	_, err := Handshake(context.Background(), nbdAddrConn{cli, "h:1"}, string(make([]byte, 4097)))
	const want = "nbd handshake with h:1: export name of 4097 bytes is longer than the protocol's 4096"
	if err == nil || err.Error() != want {
		t.Fatalf("Handshake error\n got: %v\nwant: %s", err, want)
	}
}

func TestExportFlags(t *testing.T) {
	tests := []struct {
		flags           uint16
		readOnly, flush bool
	}{
		{0, false, false},
		{NBDFlagReadOnly | NBDFlagSendFlush, false, false}, // without HAS_FLAGS the bits mean nothing
		{NBDFlagHasFlags, false, false},
		{NBDFlagHasFlags | NBDFlagReadOnly, true, false},
		{NBDFlagHasFlags | NBDFlagSendFlush | NBDFlagSendFUA, false, true},
	}
	for _, tt := range tests {
		e := &Export{Flags: tt.flags}
		if e.ReadOnly() != tt.readOnly || e.CanFlush() != tt.flush {
			t.Errorf("flags %#x: ReadOnly %v CanFlush %v, want %v %v", tt.flags, e.ReadOnly(), e.CanFlush(), tt.readOnly, tt.flush)
		}
	}
}
