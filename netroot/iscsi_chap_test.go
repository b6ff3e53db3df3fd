package netroot

import (
	"encoding/hex"
	"testing"
)

// The vectors were computed independently (Python hashlib.md5 over id || secret || challenge).
func TestCHAPResponse(t *testing.T) {
	seq := make([]byte, 16)
	for i := range seq {
		seq[i] = byte(i)
	}
	ch2, _ := hex.DecodeString("b2a1f3c4d5e6f708")
	tests := []struct {
		id        byte
		secret    string
		challenge []byte
		want      string
	}{
		{1, "Sesame-Open-4711", seq, "767f49bc34fd470b1d8095eaab5f1e65"},
		{0xe7, "secretsecret", ch2, "9ba26c6684dc760e0d7b35a15e83b84e"},
		{0, "", nil, "93b885adfe0da089cdf634904fd59f71"},
	}
	for _, tt := range tests {
		got := hex.EncodeToString(chapResponse(tt.id, tt.secret, tt.challenge))
		if got != tt.want {
			t.Errorf("chapResponse(%d, %q, %x) = %s, want %s", tt.id, tt.secret, tt.challenge, got, tt.want)
		}
		want, _ := hex.DecodeString(tt.want)
		if !chapVerify(tt.id, tt.secret, tt.challenge, want) || chapVerify(tt.id+1, tt.secret, tt.challenge, want) {
			t.Errorf("chapVerify(%d, %q) does not tell the right response from a wrong one", tt.id, tt.secret)
		}
	}
}

func TestDecodeCHAPBinary(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"0x0a0B", "0a0b", ""},
		{"0X1", "01", ""},
		{"0bAAEC", "000102", ""},
		{"0x", "", `chap: CHAP_C="0x": expected 0x<hex> or 0b<base64>`},
		{"12", "", `chap: CHAP_C="12": expected 0x<hex> or 0b<base64>`},
		{"0xzz", "", `chap: CHAP_C="0xzz": not hexadecimal`},
		{"0b!!", "", `chap: CHAP_C="0b!!": not base64`},
		{"0q12", "", `chap: CHAP_C="0q12": expected 0x<hex> or 0b<base64>`},
	}
	for _, tt := range tests {
		got, err := decodeCHAPBinary("CHAP_C", tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("decodeCHAPBinary(%q) error %v, want %s", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || hex.EncodeToString(got) != tt.want {
			t.Errorf("decodeCHAPBinary(%q) = %x, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	if got := encodeCHAPBinary([]byte{0xde, 0xad}); got != "0xdead" {
		t.Errorf("encodeCHAPBinary = %q", got)
	}
}

func TestParseCHAPIdentifier(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "255": 255, "0x10": 16} {
		if got, err := parseCHAPIdentifier(in); err != nil || int(got) != want {
			t.Errorf("parseCHAPIdentifier(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"256", "-1", "x"} {
		_, err := parseCHAPIdentifier(in)
		if want := `chap: CHAP_I="` + in + `": expected a number 0-255`; err == nil || err.Error() != want {
			t.Errorf("parseCHAPIdentifier(%q) error %v, want %s", in, err, want)
		}
	}
}
