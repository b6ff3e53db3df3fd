package netroot

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// Export is what the server told about an export during the handshake.
type Export struct {
	Name  string
	Size  uint64 // bytes
	Flags uint16 // transmission flags (NBDFlag…)
	// Block size constraints from NBD_INFO_BLOCK_SIZE; all zero when the server sent none
	// (always so after the NBD_OPT_EXPORT_NAME fallback).
	MinBlock, PrefBlock, MaxBlock uint32
}

// ReadOnly reports whether the server exports the device read-only.
func (e *Export) ReadOnly() bool {
	return e.Flags&NBDFlagHasFlags != 0 && e.Flags&NBDFlagReadOnly != 0
}

// CanFlush reports whether the server accepts NBD_CMD_FLUSH.
func (e *Export) CanFlush() bool {
	return e.Flags&NBDFlagHasFlags != 0 && e.Flags&NBDFlagSendFlush != 0
}

// Handshake runs the client side of the fixed-newstyle negotiation on conn and leaves conn in
// the transmission phase for export. It asks with NBD_OPT_GO (with NBD_INFO_BLOCK_SIZE), falls
// back to NBD_OPT_EXPORT_NAME when the server does not know NBD_OPT_GO, and on an unknown export
// lists the server's exports into the error (an *NBDUnknownExportError). ctx's deadline and
// cancellation bound every read and write; Handshake clears conn's deadline before returning.
// On error the caller closes conn.
func Handshake(ctx context.Context, conn net.Conn, export string) (*Export, error) {
	h := &nbdHandshake{ctx: ctx, conn: conn, export: export, server: nbdRemote(conn), start: time.Now()}
	if len(export) > nbdMaxNameLen {
		return nil, h.errorf("export name of %d bytes is longer than the protocol's %d", len(export), nbdMaxNameLen)
	}
	stop := h.watch()
	defer stop()
	e, err := h.run()
	if err != nil {
		return nil, err
	}
	return e, nil
}

type nbdHandshake struct {
	ctx      context.Context
	conn     net.Conn
	export   string
	server   string
	start    time.Time
	noZeroes bool
}

type nbdReply struct {
	typ  uint32
	data []byte
}

func nbdRemote(conn net.Conn) string {
	if a := conn.RemoteAddr(); a != nil {
		return a.String()
	}
	return "server"
}

func (h *nbdHandshake) errorf(format string, a ...any) error {
	return fmt.Errorf("nbd handshake with %s: %w", h.server, fmt.Errorf(format, a...))
}

// watch applies ctx's deadline to conn and makes cancellation interrupt blocked I/O.
func (h *nbdHandshake) watch() (stop func()) {
	if d, ok := h.ctx.Deadline(); ok {
		h.conn.SetDeadline(d)
	}
	var mu sync.Mutex
	done := false
	stopAfter := context.AfterFunc(h.ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			h.conn.SetDeadline(time.Unix(1, 0))
		}
	})
	return func() {
		stopAfter()
		mu.Lock()
		done = true
		mu.Unlock()
		h.conn.SetDeadline(time.Time{})
	}
}

// ioError explains a failed read (or write) of want bytes, of which n made it; what names the
// data: "the server's greeting", "the reply to NBD_OPT_GO".
func (h *nbdHandshake) ioError(err error, write bool, n, want int, what string) error {
	waiting := "waiting for " + what
	if write {
		waiting = "sending " + what
	}
	if cerr := h.ctxErr(err); cerr != nil {
		if errors.Is(cerr, context.DeadlineExceeded) {
			d, _ := h.ctx.Deadline()
			return h.errorf("timed out after %s %s: %w", max(d.Sub(h.start), 0).Round(100*time.Millisecond), waiting, cerr)
		}
		return h.errorf("canceled while %s: %w", waiting, cerr)
	}
	switch {
	case write:
		return h.errorf("%s: %w", waiting, err)
	case errors.Is(err, io.EOF):
		return h.errorf("server closed the connection before %s: %w", what, io.ErrUnexpectedEOF)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return h.errorf("server closed the connection in the middle of %s (got %d of %d bytes): %w", what, n, want, err)
	}
	return h.errorf("reading %s: %w", what, err)
}

// ctxErr is ctx's error when err came from ctx's deadline or cancellation.
func (h *nbdHandshake) ctxErr(err error) error {
	if cerr := h.ctx.Err(); cerr != nil {
		return cerr
	}
	if d, ok := h.ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

func (h *nbdHandshake) read(b []byte, what string) error {
	n, err := io.ReadFull(h.conn, b)
	if err != nil {
		return h.ioError(err, false, n, len(b), what)
	}
	return nil
}

func (h *nbdHandshake) write(b []byte, what string) error {
	n, err := h.conn.Write(b)
	if err != nil {
		return h.ioError(err, true, n, len(b), what)
	}
	return nil
}

func (h *nbdHandshake) run() (*Export, error) {
	fixed, err := h.greeting()
	if err != nil {
		return nil, err
	}
	var e *Export
	if !fixed {
		e, err = h.exportName()
	} else {
		var rep nbdReply
		e, rep, err = h.optGo()
		switch {
		case err != nil:
		case e != nil:
		case rep.typ == nbdRepErrUnsup:
			e, err = h.exportName()
		case rep.typ == nbdRepErrUnknown:
			err = h.unknownExport()
		default:
			h.abort()
			err = h.errorf("server refused %s for export %q: %s%s", nbdOptName(nbdOptGo), h.export, nbdRepName(rep.typ), nbdServerMessage(rep.data))
		}
	}
	if err != nil {
		return nil, err
	}
	if e.Size == 0 {
		return nil, h.errorf("export %q has size 0", h.export)
	}
	return e, nil
}

// greeting reads the server's greeting and answers with the client flags. It reports whether
// the server does fixed newstyle (option haggling with replies).
func (h *nbdHandshake) greeting() (fixed bool, err error) {
	var b [18]byte
	const what = "the server's greeting"
	if err := h.read(b[:8], what); err != nil {
		return false, err
	}
	if m := binary.BigEndian.Uint64(b[:8]); m != nbdMagic {
		return false, h.errorf("not an NBD server: greeting %q, expected \"NBDMAGIC\"", b[:8])
	}
	if err := h.read(b[8:], what); err != nil {
		return false, err
	}
	switch m := binary.BigEndian.Uint64(b[8:16]); m {
	case nbdOptMagic:
	case nbdOldstyleMagic:
		return false, h.errorf("server speaks the oldstyle handshake, which has no export names; goinit needs a newstyle server")
	default:
		return false, h.errorf("unexpected magic 0x%016x (%q) after NBDMAGIC, expected \"IHAVEOPT\"", m, b[8:16])
	}
	flags := binary.BigEndian.Uint16(b[16:18])
	var client uint32
	if flags&nbdFlagFixedNewstyle != 0 {
		client |= nbdFlagFixedNewstyle
	}
	if flags&nbdFlagNoZeroes != 0 {
		client |= nbdFlagNoZeroes
		h.noZeroes = true
	}
	var cb [4]byte
	binary.BigEndian.PutUint32(cb[:], client)
	if err := h.write(cb[:], "the client flags"); err != nil {
		return false, err
	}
	return flags&nbdFlagFixedNewstyle != 0, nil
}

func (h *nbdHandshake) sendOption(opt uint32, data []byte) error {
	b := make([]byte, 16+len(data))
	binary.BigEndian.PutUint64(b[0:], nbdOptMagic)
	binary.BigEndian.PutUint32(b[8:], opt)
	binary.BigEndian.PutUint32(b[12:], uint32(len(data)))
	copy(b[16:], data)
	return h.write(b, nbdOptName(opt))
}

// readReply reads one option reply to opt, its data capped at nbdMaxReplyLen.
func (h *nbdHandshake) readReply(opt uint32) (nbdReply, error) {
	var b [20]byte
	name := nbdOptName(opt)
	if err := h.read(b[:], "the reply to "+name); err != nil {
		return nbdReply{}, err
	}
	if m := binary.BigEndian.Uint64(b[0:8]); m != nbdReplyMagic {
		return nbdReply{}, h.errorf("reply to %s: bad magic 0x%016x (%q), expected 0x%016x", name, m, b[0:8], uint64(nbdReplyMagic))
	}
	if got := binary.BigEndian.Uint32(b[8:12]); got != opt {
		return nbdReply{}, h.errorf("reply to %s is for %s", name, nbdOptName(got))
	}
	rep := nbdReply{typ: binary.BigEndian.Uint32(b[12:16])}
	n := binary.BigEndian.Uint32(b[16:20])
	if n > nbdMaxReplyLen {
		return nbdReply{}, h.errorf("%s reply to %s: length %d exceeds the limit of %d bytes", nbdRepShort(rep.typ), name, n, nbdMaxReplyLen)
	}
	if n == 0 {
		return rep, nil
	}
	rep.data = make([]byte, n)
	if err := h.read(rep.data, fmt.Sprintf("the %s reply to %s", nbdRepShort(rep.typ), name)); err != nil {
		return nbdReply{}, err
	}
	return rep, nil
}

// optGo asks for the export with NBD_OPT_GO. It returns the export on success, or the error
// reply the server sent instead.
func (h *nbdHandshake) optGo() (*Export, nbdReply, error) {
	data := make([]byte, 4+len(h.export)+2+2)
	binary.BigEndian.PutUint32(data, uint32(len(h.export)))
	copy(data[4:], h.export)
	binary.BigEndian.PutUint16(data[4+len(h.export):], 1) // one information request:
	binary.BigEndian.PutUint16(data[6+len(h.export):], nbdInfoBlockSize)
	if err := h.sendOption(nbdOptGo, data); err != nil {
		return nil, nbdReply{}, err
	}
	e := &Export{Name: h.export}
	haveExport := false
	for i := 0; ; i++ {
		if i == nbdMaxReplies {
			return nil, nbdReply{}, h.errorf("more than %d replies to %s", nbdMaxReplies, nbdOptName(nbdOptGo))
		}
		rep, err := h.readReply(nbdOptGo)
		if err != nil {
			return nil, nbdReply{}, err
		}
		switch {
		case rep.typ == nbdRepAck:
			if !haveExport {
				return nil, nbdReply{}, h.errorf("server accepted %s without sending NBD_INFO_EXPORT", nbdOptName(nbdOptGo))
			}
			if err := h.checkBlockSizes(e); err != nil {
				return nil, nbdReply{}, err
			}
			return e, nbdReply{}, nil
		case rep.typ == nbdRepInfo:
			got, err := h.parseInfo(e, rep.data)
			if err != nil {
				return nil, nbdReply{}, err
			}
			haveExport = haveExport || got
		case rep.typ&nbdRepFlagError != 0:
			return nil, rep, nil
		default:
			return nil, nbdReply{}, h.errorf("unexpected %s to %s", nbdRepShort(rep.typ), nbdOptName(nbdOptGo))
		}
	}
}

// parseInfo reads one NBD_REP_INFO into e; it reports whether it was NBD_INFO_EXPORT.
func (h *nbdHandshake) parseInfo(e *Export, d []byte) (bool, error) {
	if len(d) < 2 {
		return false, h.errorf("NBD_REP_INFO of %d bytes is too short for its type", len(d))
	}
	switch typ := binary.BigEndian.Uint16(d); typ {
	case nbdInfoExport:
		if len(d) != 12 {
			return false, h.errorf("NBD_INFO_EXPORT of %d bytes, expected 12", len(d))
		}
		e.Size = binary.BigEndian.Uint64(d[2:10])
		e.Flags = binary.BigEndian.Uint16(d[10:12])
		return true, nil
	case nbdInfoBlockSize:
		if len(d) != 14 {
			return false, h.errorf("NBD_INFO_BLOCK_SIZE of %d bytes, expected 14", len(d))
		}
		e.MinBlock = binary.BigEndian.Uint32(d[2:6])
		e.PrefBlock = binary.BigEndian.Uint32(d[6:10])
		e.MaxBlock = binary.BigEndian.Uint32(d[10:14])
	}
	// NBD_INFO_NAME, NBD_INFO_DESCRIPTION and unknown types carry nothing goinit uses.
	return false, nil
}

func (h *nbdHandshake) checkBlockSizes(e *Export) error {
	if e.MinBlock == 0 && e.PrefBlock == 0 && e.MaxBlock == 0 {
		return nil
	}
	pow2 := func(v uint32) bool { return v != 0 && v&(v-1) == 0 }
	if !pow2(e.MinBlock) || !pow2(e.PrefBlock) || e.PrefBlock < e.MinBlock || e.MaxBlock < e.PrefBlock {
		return h.errorf("invalid NBD_INFO_BLOCK_SIZE: minimum %d, preferred %d, maximum %d", e.MinBlock, e.PrefBlock, e.MaxBlock)
	}
	return nil
}

// exportName enters transmission with NBD_OPT_EXPORT_NAME, the only way old servers know.
func (h *nbdHandshake) exportName() (*Export, error) {
	if err := h.sendOption(nbdOptExportName, []byte(h.export)); err != nil {
		return nil, err
	}
	var b [10]byte
	n, err := io.ReadFull(h.conn, b[:])
	if n == 0 && errors.Is(err, io.EOF) {
		return nil, h.errorf("server closed the connection after %s %q: the export does not exist or access was denied", nbdOptName(nbdOptExportName), h.export)
	}
	if err != nil {
		return nil, h.ioError(err, false, n, len(b), "the reply to "+nbdOptName(nbdOptExportName))
	}
	e := &Export{Name: h.export, Size: binary.BigEndian.Uint64(b[:8]), Flags: binary.BigEndian.Uint16(b[8:])}
	if !h.noZeroes {
		var z [124]byte
		if err := h.read(z[:], "the reply to "+nbdOptName(nbdOptExportName)); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// abort ends option haggling politely (NBD_OPT_ABORT); the reply does not matter.
func (h *nbdHandshake) abort() {
	_ = h.sendOption(nbdOptAbort, nil)
}
