package netroot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// iSCSI opcodes (RFC 7143 11.2.1.2) that the login and discovery phases use.
const (
	iscsiOpLoginReq  = 0x03
	iscsiOpTextReq   = 0x04
	iscsiOpLogoutReq = 0x06
	iscsiOpLoginRsp  = 0x23
	iscsiOpTextRsp   = 0x24
	iscsiOpLogoutRsp = 0x26
	iscsiOpReject    = 0x3f

	iscsiBHSLen       = 48
	iscsiFlagI        = 0x40 // immediate delivery, byte 0
	iscsiFlagF        = 0x80 // final (text), transit (login), byte 1
	iscsiFlagC        = 0x40 // continue, byte 1
	iscsiMaxLoginData = 1 << 16
)

// Login stages (CSG/NSG).
const (
	iscsiStageSecurity    = 0
	iscsiStageOperational = 1
	iscsiStageFullFeature = 3
)

// iscsiPDU is one PDU of the login or text phase: the basic header segment and the data segment.
type iscsiPDU struct {
	BHS  [iscsiBHSLen]byte
	Data []byte
}

func (p *iscsiPDU) Opcode() byte     { return p.BHS[0] & 0x3f }
func (p *iscsiPDU) Flags() byte      { return p.BHS[1] }
func (p *iscsiPDU) ITT() uint32      { return binary.BigEndian.Uint32(p.BHS[16:]) }
func (p *iscsiPDU) TTT() uint32      { return binary.BigEndian.Uint32(p.BHS[20:]) }
func (p *iscsiPDU) StatSN() uint32   { return binary.BigEndian.Uint32(p.BHS[24:]) }
func (p *iscsiPDU) ExpCmdSN() uint32 { return binary.BigEndian.Uint32(p.BHS[28:]) }
func (p *iscsiPDU) TSIH() uint16     { return binary.BigEndian.Uint16(p.BHS[14:]) }

// Transit, CSG and NSG of a login response.
func (p *iscsiPDU) Transit() bool  { return p.BHS[1]&iscsiFlagF != 0 }
func (p *iscsiPDU) Continue() bool { return p.BHS[1]&iscsiFlagC != 0 }
func (p *iscsiPDU) CSG() int       { return int(p.BHS[1]>>2) & 3 }
func (p *iscsiPDU) NSG() int       { return int(p.BHS[1]) & 3 }

// Status of a login response: class and detail (RFC 7143 11.13.5).
func (p *iscsiPDU) Status() (class, detail byte) { return p.BHS[36], p.BHS[37] }

// iscsiLoginRequest builds a login request PDU.
type iscsiLoginRequest struct {
	Transit   bool
	CSG, NSG  int
	ISID      [6]byte
	TSIH      uint16
	ITT       uint32
	CID       uint16
	CmdSN     uint32
	ExpStatSN uint32
	Data      []byte
}

func (r iscsiLoginRequest) PDU() *iscsiPDU {
	p := &iscsiPDU{Data: r.Data}
	p.BHS[0] = iscsiFlagI | iscsiOpLoginReq
	p.BHS[1] = byte(r.CSG&3)<<2 | byte(r.NSG&3)
	if r.Transit {
		p.BHS[1] |= iscsiFlagF
	} else {
		p.BHS[1] &^= 3 // NSG is reserved without T
	}
	copy(p.BHS[8:14], r.ISID[:])
	binary.BigEndian.PutUint16(p.BHS[14:], r.TSIH)
	binary.BigEndian.PutUint32(p.BHS[16:], r.ITT)
	binary.BigEndian.PutUint16(p.BHS[20:], r.CID)
	binary.BigEndian.PutUint32(p.BHS[24:], r.CmdSN)
	binary.BigEndian.PutUint32(p.BHS[28:], r.ExpStatSN)
	return p
}

// iscsiTextRequest builds a text request (SendTargets) or, with logout, a logout request.
func iscsiTextRequest(itt, ttt, cmdSN, expStatSN uint32, data []byte) *iscsiPDU {
	p := &iscsiPDU{Data: data}
	p.BHS[0] = iscsiFlagI | iscsiOpTextReq
	p.BHS[1] = iscsiFlagF
	binary.BigEndian.PutUint32(p.BHS[16:], itt)
	binary.BigEndian.PutUint32(p.BHS[20:], ttt)
	binary.BigEndian.PutUint32(p.BHS[24:], cmdSN)
	binary.BigEndian.PutUint32(p.BHS[28:], expStatSN)
	return p
}

func iscsiLogoutRequest(itt uint32, cid uint16, cmdSN, expStatSN uint32) *iscsiPDU {
	p := &iscsiPDU{}
	p.BHS[0] = iscsiFlagI | iscsiOpLogoutReq
	p.BHS[1] = 0x80 // reason 0: close the session
	binary.BigEndian.PutUint32(p.BHS[16:], itt)
	binary.BigEndian.PutUint16(p.BHS[20:], cid)
	binary.BigEndian.PutUint32(p.BHS[24:], cmdSN)
	binary.BigEndian.PutUint32(p.BHS[28:], expStatSN)
	return p
}

// Encode renders the PDU for the wire: the header with the data segment length, then the
// data padded to a multiple of 4 bytes.
func (p *iscsiPDU) Encode() ([]byte, error) {
	if len(p.Data) >= 1<<24 {
		return nil, fmt.Errorf("encode iscsi pdu: data segment of %d bytes, the limit is %d", len(p.Data), 1<<24-1)
	}
	b := make([]byte, iscsiBHSLen, iscsiBHSLen+len(p.Data)+3)
	copy(b, p.BHS[:])
	b[4] = 0 // no additional header segments
	b[5], b[6], b[7] = byte(len(p.Data)>>16), byte(len(p.Data)>>8), byte(len(p.Data))
	b = append(b, p.Data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b, nil
}

// errISCSIShortPDU marks a PDU the peer cut short.
var errISCSIShortPDU = errors.New("connection closed in the middle of a PDU")

// readISCSIPDU reads one PDU. Additional header segments are skipped; a data segment longer
// than maxData is an error (a login or text PDU is small; this guards the allocation). No
// digests are in use during login.
func readISCSIPDU(r io.Reader, maxData int) (*iscsiPDU, error) {
	p := &iscsiPDU{}
	if _, err := io.ReadFull(r, p.BHS[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("read iscsi pdu header: %w", errISCSIShortPDU)
		}
		return nil, fmt.Errorf("read iscsi pdu header: %w", err)
	}
	ahs := int(p.BHS[4]) * 4
	dlen := int(p.BHS[5])<<16 | int(p.BHS[6])<<8 | int(p.BHS[7])
	if dlen > maxData {
		return nil, fmt.Errorf("read iscsi pdu (opcode 0x%02x): data segment of %d bytes, more than the %d expected", p.Opcode(), dlen, maxData)
	}
	if ahs > 0 {
		if _, err := io.CopyN(io.Discard, r, int64(ahs)); err != nil {
			return nil, fmt.Errorf("read iscsi pdu (opcode 0x%02x) additional header: %w", p.Opcode(), shortPDU(err))
		}
	}
	padded := (dlen + 3) &^ 3
	buf := make([]byte, padded)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("read iscsi pdu (opcode 0x%02x) data segment of %d bytes: %w", p.Opcode(), dlen, shortPDU(err))
	}
	p.Data = buf[:dlen]
	return p, nil
}

func shortPDU(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errISCSIShortPDU
	}
	return err
}

// iscsiKV is one key=value pair of a text or login data segment, in order.
type iscsiKV struct{ Key, Value string }

// encodeISCSIText renders key=value pairs, each ended by a NUL.
func encodeISCSIText(kvs []iscsiKV) []byte {
	var b strings.Builder
	for _, kv := range kvs {
		b.WriteString(kv.Key)
		b.WriteByte('=')
		b.WriteString(kv.Value)
		b.WriteByte(0)
	}
	return []byte(b.String())
}

// parseISCSIText splits a data segment into key=value pairs (RFC 7143 6.1). Trailing NULs
// (padding) are ignored; a pair without '=' or with an empty key is an error.
func parseISCSIText(data []byte) ([]iscsiKV, error) {
	var out []iscsiKV
	for _, item := range strings.Split(string(data), "\x00") {
		if item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("parse iscsi text: %q is not key=value", truncateForMsg(item))
		}
		out = append(out, iscsiKV{k, v})
	}
	return out, nil
}

func truncateForMsg(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// iscsiLoginStatus names a login response's status (RFC 7143 11.13.5).
func iscsiLoginStatus(class, detail byte) string {
	names := map[uint16]string{
		0x0101: "target moved temporarily", 0x0102: "target moved permanently",
		0x0200: "initiator error", 0x0201: "authentication failed", 0x0202: "authorization failure (this initiator may not log in to the target)",
		0x0203: "target not found", 0x0204: "target removed", 0x0205: "unsupported version",
		0x0206: "too many connections", 0x0207: "missing parameter", 0x0208: "cannot include in session",
		0x0209: "session type not supported", 0x020a: "session does not exist", 0x020b: "invalid during login",
		0x0300: "target error", 0x0301: "service unavailable", 0x0302: "out of resources",
	}
	s, ok := names[uint16(class)<<8|uint16(detail)]
	if !ok {
		s = "unknown status"
	}
	return fmt.Sprintf("%s (status 0x%02x%02x)", s, class, detail)
}
