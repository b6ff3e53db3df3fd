package netroot

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseISCSIValue: the root-path parser never panics, and no error shows the credentials.
func FuzzParseISCSIValue(f *testing.F) {
	for _, s := range []string{
		"iscsi:10.99.0.1::::iqn.2025-01.com.example:root", "iscsi:u:p@[fd00::1]:6:3260:1:iqn.a:b",
		"iscsi:u:p:r:q@host::::", "iscsi:::::", "iscsi", "iscsi:[", "iscsi:a:b:c:d:e:f:g", "iscsi:@",
		"iscsi:10.0.0.1:::0000-0000-0000-0001:eui.0123456789abcdef",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		r, err := parseISCSIValue("cmdline: root", "iscsi:"+fuzzUser+":"+fuzzSecret+"@"+v)
		if err != nil {
			if strings.Contains(err.Error(), fuzzSecret) {
				t.Fatalf("the error shows the password: %v", err)
			}
			return
		}
		if strings.Contains(r.String(), fuzzSecret) {
			t.Fatalf("String() shows the password: %s", r)
		}
		if r.Port == 0 || (r.LUN < 0 && r.LUN != ISCSIAnyLUN) {
			t.Fatalf("parsed %q to port %d LUN %d", v, r.Port, r.LUN)
		}
		parseISCSIValue("x", v) //nolint:errcheck // only must not panic
	})
}

const (
	fuzzUser   = "fuzzuser"
	fuzzSecret = "Fuzz-Secret-Value-77"
)

// FuzzReadISCSIPDU: the PDU reader never panics, never returns more data than allowed, and
// what it returns re-encodes to the bytes it read (without additional headers).
func FuzzReadISCSIPDU(f *testing.F) {
	p := iscsiLoginRequest{Transit: true, CSG: 1, NSG: 3, Data: []byte("A=B\x00")}.PDU()
	b, _ := p.Encode()
	f.Add(b)
	f.Add(make([]byte, 48))
	f.Add(append(make([]byte, 4), 0x01, 0, 0, 0))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := readISCSIPDU(bytes.NewReader(in), 4096)
		if err != nil {
			return
		}
		if len(p.Data) > 4096 {
			t.Fatalf("data of %d bytes", len(p.Data))
		}
		if in[4] == 0 {
			out, err := p.Encode()
			if err != nil || !bytes.Equal(out[:48], in[:48]) || !bytes.Equal(out[48:48+len(p.Data)], p.Data) {
				t.Fatalf("re-encoding differs")
			}
		}
		parseISCSIText(p.Data) //nolint:errcheck
	})
}
