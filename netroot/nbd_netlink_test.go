package netroot

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

func nbdLittleEndianOnly(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("expected bytes are written for little-endian hosts")
	}
}

func TestNBDConnectAttrs(t *testing.T) {
	nbdLittleEndianOnly(t)
	tests := []struct {
		name string
		req  NBDConnectRequest
		want []byte
	}{
		{
			name: "index, dead connection timeout",
			req:  NBDConnectRequest{Index: 3, Size: 1 << 20, BlockSize: 512, ServerFlags: NBDFlagHasFlags | NBDFlagReadOnly, DeadConnTimeout: 1500 * time.Millisecond, FD: 7},
			want: []byte{
				8, 0, 1, 0, 3, 0, 0, 0, // NBD_ATTR_INDEX u32
				12, 0, 2, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, // NBD_ATTR_SIZE_BYTES u64
				12, 0, 3, 0, 0, 2, 0, 0, 0, 0, 0, 0, // NBD_ATTR_BLOCK_SIZE_BYTES u64
				12, 0, 5, 0, 3, 0, 0, 0, 0, 0, 0, 0, // NBD_ATTR_SERVER_FLAGS u64
				12, 0, 8, 0, 2, 0, 0, 0, 0, 0, 0, 0, // NBD_ATTR_DEAD_CONN_TIMEOUT u64, seconds rounded up
				16, 0, 7, 0x80, // NBD_ATTR_SOCKETS, nested
				12, 0, 1, 0x80, // NBD_SOCK_ITEM, nested
				8, 0, 1, 0, 7, 0, 0, 0, // NBD_SOCK_FD u32
			},
		},
		{
			name: "any device, request timeout",
			req:  NBDConnectRequest{Index: -1, Size: 4096, BlockSize: 4096, Timeout: 30 * time.Second, FD: 0},
			want: []byte{
				12, 0, 2, 0, 0, 0x10, 0, 0, 0, 0, 0, 0,
				12, 0, 3, 0, 0, 0x10, 0, 0, 0, 0, 0, 0,
				12, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				12, 0, 4, 0, 30, 0, 0, 0, 0, 0, 0, 0, // NBD_ATTR_TIMEOUT
				16, 0, 7, 0x80, 12, 0, 1, 0x80, 8, 0, 1, 0, 0, 0, 0, 0,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.req.attrs()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("attrs()\n got: % x\nwant: % x", got, tt.want)
			}
		})
	}
}

func TestNBDConnectAttrsErrors(t *testing.T) {
	ok := NBDConnectRequest{Index: 0, Size: 4096, BlockSize: 512, FD: 5}
	tests := []struct {
		mod  func(r *NBDConnectRequest)
		want string
	}{
		{func(r *NBDConnectRequest) { r.Index = -2 }, "nbd connect: device index -2 out of range"},
		{func(r *NBDConnectRequest) { r.FD = -1 }, "nbd connect /dev/nbd0: no socket (fd -1)"},
		{func(r *NBDConnectRequest) { r.Size = 0 }, "nbd connect /dev/nbd0: size 0 out of range 1-9223372036854775807"},
		{func(r *NBDConnectRequest) { r.Size = 1 << 63 }, "nbd connect /dev/nbd0: size 9223372036854775808 out of range 1-9223372036854775807"},
		{func(r *NBDConnectRequest) { r.BlockSize = 256 }, "nbd connect /dev/nbd0: block size 256 is not a power of two from 512"},
		{func(r *NBDConnectRequest) { r.BlockSize = 1000; r.Index = -1 }, "nbd connect a free /dev/nbd device: block size 1000 is not a power of two from 512"},
	}
	for _, tt := range tests {
		r := ok
		tt.mod(&r)
		_, err := r.attrs()
		if err == nil || err.Error() != tt.want {
			t.Errorf("attrs(%+v) error\n got: %v\nwant: %s", r, err, tt.want)
		}
	}
}

func TestNBDReconfigureAttrs(t *testing.T) {
	nbdLittleEndianOnly(t)
	got, err := NBDReconfigureRequest{Index: 1, FD: 9, DeadConnTimeout: time.Minute}.attrs()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		8, 0, 1, 0, 1, 0, 0, 0,
		12, 0, 8, 0, 60, 0, 0, 0, 0, 0, 0, 0,
		16, 0, 7, 0x80, 12, 0, 1, 0x80, 8, 0, 1, 0, 9, 0, 0, 0,
	}
	if !bytes.Equal(got, want) {
		t.Errorf("attrs()\n got: % x\nwant: % x", got, want)
	}
	got, err = NBDReconfigureRequest{Index: 2, FD: -1, Timeout: time.Second}.attrs()
	if err != nil {
		t.Fatal(err)
	}
	want = []byte{8, 0, 1, 0, 2, 0, 0, 0, 12, 0, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0}
	if !bytes.Equal(got, want) {
		t.Errorf("attrs() without socket\n got: % x\nwant: % x", got, want)
	}
	if _, err := (NBDReconfigureRequest{Index: -1, FD: -1}).attrs(); err == nil || err.Error() != "nbd reconfigure: device index -1 out of range" {
		t.Errorf("attrs() with index -1: %v", err)
	}
}

func TestNBDGenlMessage(t *testing.T) {
	got := nbdGenlMessage(nbdCmdDisconnect, nbdNLAU32(nil, nbdAttrIndex, 5))
	want := []byte{2, 1, 0, 0, 8, 0, 1, 0}
	want = binary.NativeEndian.AppendUint32(want, 5)
	if !bytes.Equal(got, want) {
		t.Errorf("nbdGenlMessage\n got: % x\nwant: % x", got, want)
	}
}

func TestNBDReplyIndex(t *testing.T) {
	hdr := []byte{nbdCmdConnect, 1, 0, 0}
	tests := []struct {
		name  string
		msg   []byte
		index int
		ok    bool
	}{
		{"index", append(hdr[:4:4], nbdNLAU32(nil, nbdAttrIndex, 7)...), 7, true},
		{"after another attribute", append(append(hdr[:4:4], nbdNLAU64(nil, nbdAttrSizeBytes, 1)...), nbdNLAU32(nil, nbdAttrIndex, 2)...), 2, true},
		{"no index", append(hdr[:4:4], nbdNLAU64(nil, nbdAttrSizeBytes, 1)...), 0, false},
		{"empty", nil, 0, false},
		{"header only", hdr, 0, false},
		{"attribute longer than message", append(hdr[:4:4], 200, 0, 1, 0, 7, 0, 0, 0), 0, false},
		{"attribute shorter than its header", append(hdr[:4:4], 2, 0, 1, 0), 0, false},
		{"truncated padding", append(hdr[:4:4], 5, 0, 9, 0, 1), 0, false},
	}
	for _, tt := range tests {
		i, ok := nbdReplyIndex(tt.msg)
		if i != tt.index || ok != tt.ok {
			t.Errorf("%s: nbdReplyIndex = %d, %v; want %d, %v", tt.name, i, ok, tt.index, tt.ok)
		}
	}
}
