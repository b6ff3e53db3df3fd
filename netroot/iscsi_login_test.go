package netroot

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"
)

// fakeTarget is the target side of a login, scripted enough for goinit's initiator: AuthMethod
// None or CHAP (MD5, mutual when out credentials are set), the operational stage, SendTargets.
type fakeTarget struct {
	targets           []string
	user, secret      string // CHAP required when user is set
	outUser, outSecet string // mutual CHAP answer
	opKeys            []iscsiKV
	noTPGT            bool
	statSN            uint32
	challenge         []byte
	seenKeys          []iscsiKV
}

func (f *fakeTarget) respond(c net.Conn, op byte, flags byte, class, detail byte, kvs []iscsiKV) {
	p := &iscsiPDU{Data: encodeISCSIText(kvs)}
	p.BHS[0], p.BHS[1] = op, flags
	binary.BigEndian.PutUint16(p.BHS[14:], 5)
	binary.BigEndian.PutUint32(p.BHS[20:], 0xffffffff)
	binary.BigEndian.PutUint32(p.BHS[24:], f.statSN)
	binary.BigEndian.PutUint32(p.BHS[28:], 42)
	binary.BigEndian.PutUint32(p.BHS[32:], 50)
	p.BHS[36], p.BHS[37] = class, detail
	f.statSN++
	b, _ := p.Encode()
	c.Write(b) //nolint:errcheck
}

func (f *fakeTarget) serve(c net.Conn) {
	defer c.Close()
	for {
		req, err := readISCSIPDU(c, 1<<20)
		if err != nil {
			return
		}
		kvs, _ := parseISCSIText(req.Data)
		f.seenKeys = append(f.seenKeys, kvs...)
		switch req.Opcode() {
		case iscsiOpTextReq:
			var out []iscsiKV
			for _, n := range f.targets {
				out = append(out, iscsiKV{"TargetName", n}, iscsiKV{"TargetAddress", "10.0.0.1:3260,1"})
			}
			f.respond(c, iscsiOpTextRsp, iscsiFlagF, 0, 0, out)
			continue
		case iscsiOpLogoutReq:
			f.respond(c, iscsiOpLogoutRsp, iscsiFlagF, 0, 0, nil)
			return
		case iscsiOpLoginReq:
		default:
			return
		}
		csg, transit := int(req.BHS[1]>>2)&3, req.BHS[1]&iscsiFlagF != 0
		if csg == iscsiStageOperational {
			f.respond(c, iscsiOpLoginRsp, iscsiFlagF|1<<2|3, 0, 0, f.opKeys)
			continue
		}
		get := func(k string) string { v, _ := kvGet(kvs, k); return v }
		if n := get("TargetName"); n != "" && !contains(f.targets, n) {
			f.respond(c, iscsiOpLoginRsp, 0, 2, 3, nil)
			return
		}
		switch {
		case get("AuthMethod") != "":
			var out []iscsiKV
			if !f.noTPGT && get("SessionType") == "Normal" {
				out = append(out, iscsiKV{"TargetPortalGroupTag", "1"})
			}
			if f.user != "" {
				if !strings.Contains(get("AuthMethod"), "CHAP") {
					f.respond(c, iscsiOpLoginRsp, 0, 2, 1, nil)
					return
				}
				f.respond(c, iscsiOpLoginRsp, 0, 0, 0, append(out, iscsiKV{"AuthMethod", "CHAP"}))
				continue
			}
			flags := byte(0)
			if transit {
				flags = iscsiFlagF | 1
			}
			f.respond(c, iscsiOpLoginRsp, flags, 0, 0, append(out, iscsiKV{"AuthMethod", "None"}))
		case get("CHAP_A") != "":
			f.challenge = []byte{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6}
			f.respond(c, iscsiOpLoginRsp, 0, 0, 0, []iscsiKV{{"CHAP_A", "5"}, {"CHAP_I", "77"}, {"CHAP_C", encodeCHAPBinary(f.challenge)}})
		case get("CHAP_R") != "":
			r, err := decodeCHAPBinary("CHAP_R", get("CHAP_R"))
			if err != nil || get("CHAP_N") != f.user || !chapVerify(77, f.secret, f.challenge, r) {
				f.respond(c, iscsiOpLoginRsp, 0, 2, 1, nil)
				return
			}
			var out []iscsiKV
			if get("CHAP_C") != "" {
				id, _ := parseCHAPIdentifier(get("CHAP_I"))
				ch, _ := decodeCHAPBinary("CHAP_C", get("CHAP_C"))
				out = []iscsiKV{{"CHAP_N", f.outUser}, {"CHAP_R", encodeCHAPBinary(chapResponse(id, f.outSecet, ch))}}
			}
			f.respond(c, iscsiOpLoginRsp, iscsiFlagF|1, 0, 0, out)
		default:
			f.respond(c, iscsiOpLoginRsp, iscsiFlagF|1, 0, 0, nil)
		}
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func runLogin(t *testing.T, f *fakeTarget, cfg iscsiLoginConfig) (*iscsiLoggedIn, error) {
	t.Helper()
	a, b := net.Pipe()
	done := make(chan struct{})
	go func() { f.serve(b); close(done) }()
	if cfg.Initiator == "" {
		cfg.Initiator = "iqn.2025-01.test:init"
	}
	cfg.Rand = bytes.NewReader(bytes.Repeat([]byte{0x33}, 64))
	li, err := iscsiLogin(a, cfg)
	a.Close()
	<-done
	return li, err
}

func TestISCSILogin(t *testing.T) {
	const target = "iqn.2025-01.test:disk"
	ops := []iscsiKV{{"HeaderDigest", "None"}, {"DataDigest", "None"}, {"MaxRecvDataSegmentLength", "8192"},
		{"InitialR2T", "Yes"}, {"ImmediateData", "No"}, {"MaxBurstLength", "131072"}, {"FirstBurstLength", "262144"},
		{"MaxOutstandingR2T", "1"}, {"ErrorRecoveryLevel", "0"}, {"IFMarker", "Irrelevant"}}
	wantParams := iscsiNegotiated{InitialR2T: true, ImmediateData: false, DataPDUInOrder: true, DataSeqInOrder: true,
		MaxRecvDSL: iscsiOurMaxRecvDSL, MaxXmitDSL: 8192, MaxBurst: 131072, FirstBurst: 131072, MaxR2T: 1,
		DefaultTime2Wait: 2, DefaultTime2Retain: 20}
	good := ISCSICredentials{Username: "node7", Password: "Sesame-Open-4711"}
	mutual := ISCSICredentials{Username: "node7", Password: "Sesame-Open-4711", InUsername: "san1", InPassword: "Target-Proof-0815"}
	tests := []struct {
		name string
		f    fakeTarget
		cfg  iscsiLoginConfig
		err  string
	}{
		{name: "none", f: fakeTarget{targets: []string{target}, opKeys: ops}, cfg: iscsiLoginConfig{Target: target}},
		{name: "chap", f: fakeTarget{targets: []string{target}, user: "node7", secret: "Sesame-Open-4711", opKeys: ops},
			cfg: iscsiLoginConfig{Target: target, Auth: good}},
		{name: "mutual", f: fakeTarget{targets: []string{target}, user: "node7", secret: "Sesame-Open-4711", outUser: "san1", outSecet: "Target-Proof-0815", opKeys: ops},
			cfg: iscsiLoginConfig{Target: target, Auth: mutual}},
		{name: "wrong secret", f: fakeTarget{targets: []string{target}, user: "node7", secret: "Sesame-Open-4711", opKeys: ops},
			cfg: iscsiLoginConfig{Target: target, Auth: ISCSICredentials{Username: "node7", Password: "Wrong-Guess-9999"}},
			err: `CHAP authentication failed for target "iqn.2025-01.test:disk": the target refused the credentials (authentication failed (status 0x0201)) (CHAP user "node7")`},
		{name: "no credentials", f: fakeTarget{targets: []string{target}, user: "node7", secret: "x", opKeys: ops},
			cfg: iscsiLoginConfig{Target: target},
			err: `login to target "iqn.2025-01.test:disk": the target requires authentication and no CHAP credentials were given (rd.iscsi.username=/rd.iscsi.password= or mkinitramfs --iscsi-secrets): CHAP authentication failed for target "iqn.2025-01.test:disk": the target refused the credentials (authentication failed (status 0x0201))`},
		{name: "target fails mutual", f: fakeTarget{targets: []string{target}, user: "node7", secret: "Sesame-Open-4711", outUser: "san1", outSecet: "Imposter-Secret", opKeys: ops},
			cfg: iscsiLoginConfig{Target: target, Auth: mutual},
			err: `login to target "iqn.2025-01.test:disk": mutual CHAP authentication failed: the target's CHAP response does not match rd.iscsi.in.password (is the target's outgoing account right?)`},
		{name: "target misnamed", f: fakeTarget{targets: []string{target}, user: "node7", secret: "Sesame-Open-4711", outUser: "other", outSecet: "Target-Proof-0815", opKeys: ops},
			cfg: iscsiLoginConfig{Target: target, Auth: mutual},
			err: `login to target "iqn.2025-01.test:disk": mutual CHAP authentication failed: the target calls itself "other", rd.iscsi.in.username is "san1"`},
		{name: "mutual but target offers none", f: fakeTarget{targets: []string{target}, opKeys: ops},
			cfg: iscsiLoginConfig{Target: target, Auth: mutual},
			err: `login to target "iqn.2025-01.test:disk": the target chose AuthMethod=None; mutual CHAP (rd.iscsi.in.username=) needs CHAP`},
		{name: "unknown target", f: fakeTarget{targets: []string{target}, opKeys: ops}, cfg: iscsiLoginConfig{Target: "iqn.2025-01.test:nosuch"},
			err: `target "iqn.2025-01.test:nosuch" not found at this portal (target not found (status 0x0203))`},
		{name: "digest", f: fakeTarget{targets: []string{target}, opKeys: []iscsiKV{{"HeaderDigest", "CRC32C"}}}, cfg: iscsiLoginConfig{Target: target},
			err: `login to target "iqn.2025-01.test:disk": the target answered HeaderDigest="CRC32C"; goinit offered only None`},
		{name: "bad number", f: fakeTarget{targets: []string{target}, opKeys: []iscsiKV{{"MaxBurstLength", "lots"}}}, cfg: iscsiLoginConfig{Target: target},
			err: `login to target "iqn.2025-01.test:disk": the target answered MaxBurstLength="lots", expected a number 512-16777215`},
		{name: "half credentials", f: fakeTarget{targets: []string{target}}, cfg: iscsiLoginConfig{Target: target, Auth: ISCSICredentials{Username: "u"}},
			err: `login to target "iqn.2025-01.test:disk": CHAP user "u" has no password (rd.iscsi.password= or the embedded secrets file)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			li, err := runLogin(t, &f, tt.cfg)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error\n got %v\nwant %s", err, tt.err)
				}
				for _, s := range []string{"Sesame-Open-4711", "Wrong-Guess-9999", "Target-Proof-0815"} {
					if strings.Contains(err.Error(), s) {
						t.Errorf("the error shows a secret: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(li.Params, wantParams) || li.TSIH != 5 || li.TPGT != 1 || li.CmdSN != 42 || li.ExpStatSN != f.statSN {
				t.Errorf("logged in %+v; want params %+v, TSIH 5, TPGT 1, CmdSN 42, ExpStatSN %d", li, wantParams, f.statSN)
			}
			if v, _ := kvGet(f.seenKeys, "InitiatorName"); v != "iqn.2025-01.test:init" {
				t.Errorf("InitiatorName %q", v)
			}
		})
	}
}

func TestISCSIDiscovery(t *testing.T) {
	f := &fakeTarget{targets: []string{"iqn.2025-01.test:a", "iqn.2025-01.test:b"}}
	a, b := net.Pipe()
	go f.serve(b)
	defer a.Close()
	li, err := iscsiLogin(a, iscsiLoginConfig{Initiator: "iqn.2025-01.test:init", Discovery: true})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := kvGet(f.seenKeys, "SessionType"); v != "Discovery" {
		t.Errorf("SessionType %q, want Discovery", v)
	}
	if _, ok := kvGet(f.seenKeys, "TargetName"); ok {
		t.Errorf("a discovery login sent TargetName")
	}
	ts, err := iscsiSendTargets(a, li)
	if err != nil {
		t.Fatal(err)
	}
	if got := discoveredNames(ts); got != `"iqn.2025-01.test:a", "iqn.2025-01.test:b"` {
		t.Errorf("discovered %s", got)
	}
}

func TestISCSILoginErrorText(t *testing.T) {
	e := &iscsiLoginError{Class: 3, Detail: 1, Target: "iqn.x:y"}
	if got, want := e.Error(), `login to target "iqn.x:y" refused: service unavailable (status 0x0301)`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var le *iscsiLoginError
	if !errors.As(error(e), &le) || le.AuthFailed() {
		t.Errorf("AuthFailed for 0x0301")
	}
}
