package netroot

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"testing"
)

func TestLoginRequestEncode(t *testing.T) {
	req := iscsiLoginRequest{
		Transit: true, CSG: 1, NSG: 3, ISID: [6]byte{0x80, 1, 2, 3, 4, 5}, TSIH: 0x0102,
		ITT: 0x0a0b0c0d, CID: 7, CmdSN: 0x11223344, ExpStatSN: 0x55667788, Data: []byte("A=B\x00"),
	}
	b, err := req.PDU().Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := "4387000000000004" + "800102030405" + "0102" + "0a0b0c0d" + "0007" + "0000" +
		"11223344" + "55667788" + "00000000000000000000000000000000" + "413d4200"
	if got := hex.EncodeToString(b); got != want {
		t.Errorf("login request\n got %s\nwant %s", got, want)
	}
	// Without T the NSG bits are zero.
	req.Transit, req.Data = false, []byte("abcde")
	b, _ = req.PDU().Encode()
	if b[1] != 0x04 || b[7] != 5 || len(b) != 48+8 {
		t.Errorf("login request without T: byte1 %#x, length byte %d, %d bytes; want 0x04, 5, 56", b[1], b[7], len(b))
	}
}

func TestReadISCSIPDU(t *testing.T) {
	hdr := func(op byte, ahs byte, dlen int) []byte {
		b := make([]byte, 48)
		b[0], b[4] = op, ahs
		b[5], b[6], b[7] = byte(dlen>>16), byte(dlen>>8), byte(dlen)
		return b
	}
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	tests := []struct {
		name string
		in   []byte
		data string
		err  string
	}{
		{"no data", hdr(0x23, 0, 0), "", ""},
		{"padded data", cat(hdr(0x23, 0, 3), []byte("abc\x00")), "abc", ""},
		{"ahs skipped", cat(hdr(0x24, 1, 4), []byte("AHS!"), []byte("data")), "data", ""},
		{"empty", nil, "", "read iscsi pdu header: EOF"},
		{"short header", hdr(0x23, 0, 0)[:20], "", "read iscsi pdu header: connection closed in the middle of a PDU"},
		{"short data", cat(hdr(0x23, 0, 8), []byte("abc")), "", "read iscsi pdu (opcode 0x23) data segment of 8 bytes: connection closed in the middle of a PDU"},
		{"short ahs", cat(hdr(0x23, 2, 0), []byte("abc")), "", "read iscsi pdu (opcode 0x23) additional header: connection closed in the middle of a PDU"},
		{"too long", hdr(0x23, 0, 70000), "", "read iscsi pdu (opcode 0x23): data segment of 70000 bytes, more than the 65536 expected"},
	}
	for _, tt := range tests {
		p, err := readISCSIPDU(bytes.NewReader(tt.in), iscsiMaxLoginData)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error %v, want %s", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || string(p.Data) != tt.data {
			t.Errorf("%s: data %q, %v; want %q", tt.name, p.Data, err, tt.data)
		}
	}
	if _, err := readISCSIPDU(bytes.NewReader(nil), 10); !errors.Is(err, io.EOF) {
		t.Errorf("an empty stream: %v, want EOF", err)
	}
}

func TestISCSIText(t *testing.T) {
	kvs := []iscsiKV{{"InitiatorName", "iqn.x:y"}, {"AuthMethod", "CHAP,None"}, {"Empty", ""}}
	b := encodeISCSIText(kvs)
	if want := "InitiatorName=iqn.x:y\x00AuthMethod=CHAP,None\x00Empty=\x00"; string(b) != want {
		t.Errorf("encode = %q, want %q", b, want)
	}
	got, err := parseISCSIText(append(b, 0, 0))
	if err != nil || !reflect.DeepEqual(got, kvs) {
		t.Errorf("parse = %v, %v; want %v", got, err, kvs)
	}
	for in, want := range map[string]string{
		"novalue\x00": `parse iscsi text: "novalue" is not key=value`,
		"=v\x00":      `parse iscsi text: "=v" is not key=value`,
	} {
		if _, err := parseISCSIText([]byte(in)); err == nil || err.Error() != want {
			t.Errorf("parse(%q) error %v, want %s", in, err, want)
		}
	}
}

func TestISCSILoginStatus(t *testing.T) {
	for _, tt := range []struct {
		c, d byte
		want string
	}{
		{2, 1, "authentication failed (status 0x0201)"},
		{2, 3, "target not found (status 0x0203)"},
		{9, 9, "unknown status (status 0x0909)"},
	} {
		if got := iscsiLoginStatus(tt.c, tt.d); got != tt.want {
			t.Errorf("iscsiLoginStatus(%d, %d) = %q, want %q", tt.c, tt.d, got, tt.want)
		}
	}
}

func TestParseSendTargets(t *testing.T) {
	data := []byte("TargetName=iqn.a:1\x00TargetAddress=10.0.0.1:3260,1\x00TargetAddress=[fd00::1]:3260,1\x00TargetName=iqn.a:2\x00")
	got, err := parseSendTargets(data)
	want := []iscsiDiscovered{{"iqn.a:1", []string{"10.0.0.1:3260,1", "[fd00::1]:3260,1"}}, {"iqn.a:2", nil}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("parseSendTargets = %+v, %v; want %+v", got, err, want)
	}
	if _, err := parseSendTargets([]byte("TargetAddress=1.2.3.4:3260,1\x00")); err == nil ||
		err.Error() != `discovery: TargetAddress="1.2.3.4:3260,1" before any TargetName` {
		t.Errorf("address before name: %v", err)
	}
	if got := discoveredNames(want); got != `"iqn.a:1", "iqn.a:2"` {
		t.Errorf("discoveredNames = %s", got)
	}
}
