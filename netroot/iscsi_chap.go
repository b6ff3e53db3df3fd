package netroot

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// chapMD5 is CHAP algorithm 5 (RFC 1994): MD5 over the identifier, the secret and the challenge.
const chapMD5 = "5"

// chapResponse computes the CHAP response MD5(id || secret || challenge).
func chapResponse(id byte, secret string, challenge []byte) []byte {
	h := md5.New()
	h.Write([]byte{id})
	h.Write([]byte(secret))
	h.Write(challenge)
	return h.Sum(nil)
}

// chapVerify checks a peer's response in constant time.
func chapVerify(id byte, secret string, challenge, response []byte) bool {
	return subtle.ConstantTimeCompare(chapResponse(id, secret, challenge), response) == 1
}

// encodeCHAPBinary renders a binary value the way iSCSI keys carry it: 0x and hex digits.
func encodeCHAPBinary(b []byte) string { return "0x" + hex.EncodeToString(b) }

// decodeCHAPBinary parses an iSCSI binary value: 0x/0X hex or 0b/0B base64 (RFC 7143 6.1).
func decodeCHAPBinary(key, v string) ([]byte, error) {
	if len(v) < 3 || v[0] != '0' {
		return nil, fmt.Errorf("chap: %s=%q: expected 0x<hex> or 0b<base64>", key, truncateForMsg(v))
	}
	switch v[1] {
	case 'x', 'X':
		s := v[2:]
		if len(s)%2 == 1 {
			s = "0" + s
		}
		b, err := hex.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("chap: %s=%q: not hexadecimal", key, truncateForMsg(v))
		}
		return b, nil
	case 'b', 'B':
		b, err := base64.StdEncoding.DecodeString(v[2:])
		if err != nil {
			return nil, fmt.Errorf("chap: %s=%q: not base64", key, truncateForMsg(v))
		}
		return b, nil
	}
	return nil, fmt.Errorf("chap: %s=%q: expected 0x<hex> or 0b<base64>", key, truncateForMsg(v))
}

// parseCHAPIdentifier parses CHAP_I, a number 0-255.
func parseCHAPIdentifier(v string) (byte, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(v), 0, 8)
	if err != nil {
		return 0, fmt.Errorf("chap: CHAP_I=%q: expected a number 0-255", truncateForMsg(v))
	}
	return byte(n), nil
}

// chapChallengeLen is the length of the challenge goinit sends for mutual CHAP.
const chapChallengeLen = 16
