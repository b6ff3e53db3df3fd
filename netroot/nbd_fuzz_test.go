package netroot

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// nbdServerBytes builds a server's side of a conversation for the fuzz seeds.
type nbdServerBytes []byte

func (b nbdServerBytes) greet(flags uint16) nbdServerBytes {
	b = append(b, "NBDMAGICIHAVEOPT"...)
	return binary.BigEndian.AppendUint16(b, flags)
}

func (b nbdServerBytes) reply(opt, typ uint32, data ...byte) nbdServerBytes {
	b = binary.BigEndian.AppendUint64(b, nbdReplyMagic)
	b = binary.BigEndian.AppendUint32(b, opt)
	b = binary.BigEndian.AppendUint32(b, typ)
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	return append(b, data...)
}

func (b nbdServerBytes) infoExport(size uint64, flags uint16) nbdServerBytes {
	d := binary.BigEndian.AppendUint16(nil, nbdInfoExport)
	d = binary.BigEndian.AppendUint64(d, size)
	return b.reply(nbdOptGo, nbdRepInfo, binary.BigEndian.AppendUint16(d, flags)...)
}

func (b nbdServerBytes) server(name string) nbdServerBytes {
	d := binary.BigEndian.AppendUint32(nil, uint32(len(name)))
	return b.reply(nbdOptList, nbdRepServer, append(d, name...)...)
}

func nbdFuzzSeeds() [][]byte {
	var none nbdServerBytes
	exportName := binary.BigEndian.AppendUint64(nil, 1<<20)
	exportName = binary.BigEndian.AppendUint16(exportName, NBDFlagHasFlags)
	return [][]byte{
		none.greet(3).infoExport(1<<20, NBDFlagHasFlags|NBDFlagReadOnly).
			reply(nbdOptGo, nbdRepInfo, 0, 3, 0, 0, 0, 1, 0, 0, 16, 0, 2, 0, 0, 0).
			reply(nbdOptGo, nbdRepAck),
		append(none.greet(3).reply(nbdOptGo, nbdRepErrUnsup), exportName...),
		append(append(none.greet(1).reply(nbdOptGo, nbdRepErrUnsup), exportName...), make([]byte, 124)...),
		append(append(none.greet(0), exportName...), make([]byte, 124)...),
		none.greet(3).reply(nbdOptGo, nbdRepErrUnknown).server("ext4").server("squash").reply(nbdOptList, nbdRepAck),
		none.greet(3).reply(nbdOptGo, nbdRepErrUnknown).reply(nbdOptList, nbdRepErrPolicy, 'n', 'o'),
		none.greet(3).reply(nbdOptGo, nbdRepErrPolicy, 'n', 'o'),
		none.greet(3).infoExport(0, 1).reply(nbdOptGo, nbdRepAck),
		[]byte("NBDMAGIC\x00\x00\x42\x02\x81\x86\x12\x53"),
		[]byte("HTTP/1.1 200 OK\r\n\r\n"),
		none.greet(3).reply(nbdOptGo, nbdRepInfo)[:30],
	}
}

// FuzzNBDHandshake feeds the fuzzer's bytes as everything the server says. Handshake must
// neither panic nor hang: the server hangs up after its bytes, so every wait ends with data or
// EOF long before the context's deadline.
func FuzzNBDHandshake(f *testing.F) {
	for _, s := range nbdFuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, server []byte) {
		cli, srv := net.Pipe()
		go io.Copy(io.Discard, srv)
		go func() {
			srv.Write(server)
			srv.Close()
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e, err := Handshake(ctx, cli, "root")
		cli.Close()
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Handshake hung until the deadline: %v", err)
		}
		if err == nil && (e == nil || e.Size == 0 || e.Name != "root") {
			t.Fatalf("Handshake = %+v without error", e)
		}
		if err != nil && e != nil {
			t.Fatalf("Handshake = %+v with error %v", e, err)
		}
	})
}

// FuzzParseNBD checks ParseNBD on arbitrary root= and nbdroot= values: no panic, sane results,
// and a parsed root written back in the dracut form parses to the same thing.
func FuzzParseNBD(f *testing.F) {
	for _, s := range [][2]string{
		{"nbd:10.99.0.1:root", ""},
		{"nbd:10.99.0.1:10810:ext4:noatime,rw", ""},
		{"nbd:[fd00::1]:root:squashfs", ""},
		{"nbd:fd00::1:root", ""},
		{"/dev/nbd3", "10.99.0.1:10810/root"},
		{"", "[fd00::1]:10809/ext4"},
		{"/dev/nbd01", "h"},
		{"/dev/vda1", "h/x"},
		{"nbd:h:root:ext4:ro:x", ""},
		{"nbd:[fd00::1]:10810::noatime,rw", ""},
		{"nbd:[fe80::1%eth0]:root:ext4", ""},
		{"/dev/nbd7", "nbd.lan:10810/images/root:v2"},
		{"/dev/nbd99999", "h"},
		{"", "[::1]/"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, root, nbdroot string) {
		c := nbdFakeCmdline{}
		if root != "" {
			c["root"] = []string{root}
		}
		if nbdroot != "" {
			c["nbdroot"] = []string{nbdroot}
		}
		r, ok, err := ParseNBD(c)
		if err != nil {
			if !ok || r != nil {
				t.Fatalf("ParseNBD = %+v, %v with error %v", r, ok, err)
			}
			return
		}
		if !ok {
			if r != nil {
				t.Fatalf("ParseNBD = %+v for a non-NBD root", r)
			}
			return
		}
		if r.Server == "" || r.Port == 0 || len(r.Export) > nbdMaxNameLen || r.Device < 0 || r.Device > nbdMaxDevIndex {
			t.Fatalf("ParseNBD = %+v", *r)
		}
		_ = r.String()

		host := r.Server
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		second := r.Export
		if second == "" {
			second = "10809"
			if r.Port != NBDDefaultPort {
				second = r.Addr()[len(host)+1:]
			}
		} else if r.Port != NBDDefaultPort || nbdAllDigits(r.Export) || strings.Contains(r.Export, ":") {
			return // the dracut form cannot say this
		}
		opts := "ro"
		if !r.ReadOnly {
			opts = "rw"
		}
		if r.Options != "" {
			opts = r.Options + "," + opts
		}
		if strings.Contains(r.FSType, ":") || strings.Contains(opts, ":") {
			return
		}
		again := "nbd:" + host + ":" + second + ":" + r.FSType + ":" + opts
		r2, ok2, err2 := ParseNBD(nbdFakeCmdline{"root": {again}})
		if err2 != nil || !ok2 {
			t.Fatalf("ParseNBD(root=%q) from %+v: %v, %v", again, *r, ok2, err2)
		}
		want := *r
		want.Device = 0
		if *r2 != want {
			t.Fatalf("ParseNBD(root=%q) = %+v, want %+v", again, *r2, want)
		}
	})
}
