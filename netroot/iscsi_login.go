package netroot

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// iscsiLoginConfig is what a login needs. Target is empty for a discovery session.
type iscsiLoginConfig struct {
	Initiator string
	Target    string
	Discovery bool
	Auth      ISCSICredentials
	ISID      [6]byte
	CID       uint16
	Rand      io.Reader // challenges for mutual CHAP; nil = crypto/rand
}

// iscsiNegotiated are the operational parameters both sides agreed on (RFC 7143 13).
type iscsiNegotiated struct {
	InitialR2T, ImmediateData            bool
	DataPDUInOrder, DataSeqInOrder       bool
	MaxRecvDSL, MaxXmitDSL               int // ours, and the target's declared MaxRecvDataSegmentLength
	MaxBurst, FirstBurst, MaxR2T         int
	ERL                                  int
	DefaultTime2Wait, DefaultTime2Retain int
}

// iscsiLoggedIn is the state of a session after a successful login.
type iscsiLoggedIn struct {
	TSIH      uint16
	TPGT      int    // TargetPortalGroupTag; -1 when the target sent none (discovery)
	CmdSN     uint32 // the next command's CmdSN (the target's ExpCmdSN)
	ExpStatSN uint32 // the next StatSN expected
	Alias     string
	Params    iscsiNegotiated
}

// iscsiOurMaxRecvDSL is the MaxRecvDataSegmentLength goinit declares (iscsi_tcp handles 256 KiB).
const iscsiOurMaxRecvDSL = 262144

// iscsiLoginError is a login the target refused with a status.
type iscsiLoginError struct {
	Class, Detail byte
	Target        string
}

func (e *iscsiLoginError) Error() string {
	switch {
	case e.Class == 2 && e.Detail == 1:
		return "CHAP authentication failed for target " + strconv.Quote(e.Target) + ": the target refused the credentials (" + iscsiLoginStatus(e.Class, e.Detail) + ")"
	case e.Class == 2 && e.Detail == 3:
		return "target " + strconv.Quote(e.Target) + " not found at this portal (" + iscsiLoginStatus(e.Class, e.Detail) + ")"
	}
	return "login to target " + strconv.Quote(e.Target) + " refused: " + iscsiLoginStatus(e.Class, e.Detail)
}

// AuthFailed reports whether the target refused the authentication.
func (e *iscsiLoginError) AuthFailed() bool { return e.Class == 2 && e.Detail == 1 }

// errISCSITargetAuth is a mutual CHAP response from the target that did not verify.
var errISCSITargetAuth = errors.New("mutual CHAP authentication failed: the target's CHAP response does not match rd.iscsi.in.password (is the target's outgoing account right?)")

// iscsiLogin runs the login phase on conn (RFC 7143 6.3, 13): the security stage with CHAP or
// without authentication, then the operational stage, into full feature phase.
func iscsiLogin(conn io.ReadWriter, cfg iscsiLoginConfig) (*iscsiLoggedIn, error) {
	l := &loginRun{conn: conn, cfg: cfg, cmdSN: 1, out: &iscsiLoggedIn{TPGT: -1}}
	if l.cfg.Rand == nil {
		l.cfg.Rand = rand.Reader
	}
	name := cfg.Target
	if cfg.Discovery {
		name = "(discovery)"
	}
	l.name = name
	if err := cfg.Auth.check(); err != nil {
		return nil, fmt.Errorf("login to target %q: %w", name, err)
	}
	if err := l.security(); err != nil {
		return nil, err
	}
	if err := l.operational(); err != nil {
		return nil, err
	}
	return l.out, nil
}

type loginRun struct {
	conn      io.ReadWriter
	cfg       iscsiLoginConfig
	name      string
	cmdSN     uint32
	expStatSN uint32
	tsih      uint16
	stage     int
	out       *iscsiLoggedIn
	first     bool // the first request was sent
}

// exchange sends one login request in the current stage and reads the response. A response
// with a non-zero status becomes an *iscsiLoginError.
func (l *loginRun) exchange(transit bool, nsg int, kvs []iscsiKV) (*iscsiPDU, []iscsiKV, error) {
	req := iscsiLoginRequest{
		Transit: transit, CSG: l.stage, NSG: nsg, ISID: l.cfg.ISID, TSIH: l.tsih,
		ITT: 0, CID: l.cfg.CID, CmdSN: l.cmdSN, ExpStatSN: l.expStatSN, Data: encodeISCSIText(kvs),
	}
	b, err := req.PDU().Encode()
	if err != nil {
		return nil, nil, fmt.Errorf("login to target %q: %w", l.name, err)
	}
	if _, err := l.conn.Write(b); err != nil {
		return nil, nil, fmt.Errorf("login to target %q: send login request: %w", l.name, err)
	}
	rsp, err := readISCSIPDU(l.conn, iscsiMaxLoginData)
	if err != nil {
		return nil, nil, fmt.Errorf("login to target %q: %w", l.name, err)
	}
	switch rsp.Opcode() {
	case iscsiOpLoginRsp:
	case iscsiOpReject:
		return nil, nil, fmt.Errorf("login to target %q: the target rejected the login request (reason 0x%02x)", l.name, rsp.BHS[2])
	default:
		return nil, nil, fmt.Errorf("login to target %q: expected a login response, got opcode 0x%02x", l.name, rsp.Opcode())
	}
	if class, detail := rsp.Status(); class != 0 {
		return nil, nil, &iscsiLoginError{Class: class, Detail: detail, Target: l.name}
	}
	l.expStatSN = rsp.StatSN() + 1
	l.cmdSN = rsp.ExpCmdSN()
	l.tsih = rsp.TSIH()
	out, err := parseISCSIText(rsp.Data)
	if err != nil {
		return nil, nil, fmt.Errorf("login to target %q: %w", l.name, err)
	}
	for _, kv := range out {
		switch kv.Key {
		case "TargetPortalGroupTag":
			if n, err := strconv.ParseUint(kv.Value, 10, 16); err == nil {
				l.out.TPGT = int(n)
			}
		case "TargetAlias":
			l.out.Alias = kv.Value
		}
	}
	return rsp, out, nil
}

// leading are the keys of the first login request.
func (l *loginRun) leading() []iscsiKV {
	kvs := []iscsiKV{{"InitiatorName", l.cfg.Initiator}}
	if l.cfg.Discovery {
		kvs = append(kvs, iscsiKV{"SessionType", "Discovery"})
	} else {
		kvs = append(kvs, iscsiKV{"SessionType", "Normal"}, iscsiKV{"TargetName", l.cfg.Target})
	}
	return kvs
}

func kvGet(kvs []iscsiKV, key string) (string, bool) {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

// security runs the security negotiation stage and leaves l.stage at the operational stage.
func (l *loginRun) security() error {
	a := l.cfg.Auth
	if a.Username == "" {
		rsp, _, err := l.exchange(true, iscsiStageOperational, append(l.leading(), iscsiKV{"AuthMethod", "None"}))
		if err != nil {
			var le *iscsiLoginError
			if errors.As(err, &le) && le.AuthFailed() {
				return fmt.Errorf("login to target %q: the target requires authentication and no CHAP credentials were given (rd.iscsi.username=/rd.iscsi.password= or mkinitramfs --iscsi-secrets): %w", l.name, err)
			}
			return err
		}
		return l.transited(rsp, 0)
	}
	offer := "CHAP,None"
	if a.InUsername != "" {
		offer = "CHAP" // the target must prove itself: no way around it
	}
	_, kvs, err := l.exchange(false, 0, append(l.leading(), iscsiKV{"AuthMethod", offer}))
	if err != nil {
		return err
	}
	method, _ := kvGet(kvs, "AuthMethod")
	switch method {
	case "None":
		if a.InUsername != "" {
			return fmt.Errorf("login to target %q: the target chose AuthMethod=None; mutual CHAP (rd.iscsi.in.username=) needs CHAP", l.name)
		}
		rsp, _, err := l.exchange(true, iscsiStageOperational, nil)
		if err != nil {
			return err
		}
		return l.transited(rsp, 0)
	case "CHAP":
	default:
		return fmt.Errorf("login to target %q: the target answered AuthMethod=%q to %q", l.name, truncateForMsg(method), offer)
	}
	_, kvs, err = l.exchange(false, 0, []iscsiKV{{"CHAP_A", chapMD5}})
	if err != nil {
		return err
	}
	if alg, _ := kvGet(kvs, "CHAP_A"); alg != chapMD5 {
		return fmt.Errorf("login to target %q: the target chose CHAP_A=%q; goinit offers only 5 (MD5)", l.name, truncateForMsg(alg))
	}
	idv, ok1 := kvGet(kvs, "CHAP_I")
	chv, ok2 := kvGet(kvs, "CHAP_C")
	if !ok1 || !ok2 {
		return fmt.Errorf("login to target %q: the target's CHAP challenge lacks CHAP_I or CHAP_C", l.name)
	}
	id, err := parseCHAPIdentifier(idv)
	if err != nil {
		return fmt.Errorf("login to target %q: %w", l.name, err)
	}
	challenge, err := decodeCHAPBinary("CHAP_C", chv)
	if err != nil {
		return fmt.Errorf("login to target %q: %w", l.name, err)
	}
	if len(challenge) == 0 {
		return fmt.Errorf("login to target %q: the target's CHAP challenge is empty", l.name)
	}
	reply := []iscsiKV{{"CHAP_N", a.Username}, {"CHAP_R", encodeCHAPBinary(chapResponse(id, a.Password, challenge))}}
	var myID byte
	var myChallenge []byte
	if a.InUsername != "" {
		buf := make([]byte, 1+chapChallengeLen)
		if _, err := io.ReadFull(l.cfg.Rand, buf); err != nil {
			return fmt.Errorf("login to target %q: make a CHAP challenge: %w", l.name, err)
		}
		myID, myChallenge = buf[0], buf[1:]
		if myID == id { // RFC 7143 12.1.3: the identifiers should differ
			myID++
		}
		reply = append(reply, iscsiKV{"CHAP_I", strconv.Itoa(int(myID))}, iscsiKV{"CHAP_C", encodeCHAPBinary(myChallenge)})
	}
	rsp, kvs, err := l.exchange(true, iscsiStageOperational, reply)
	if err != nil {
		var le *iscsiLoginError
		if errors.As(err, &le) && le.AuthFailed() {
			return fmt.Errorf("%w (CHAP user %q)", err, a.Username)
		}
		return err
	}
	if a.InUsername != "" {
		n, _ := kvGet(kvs, "CHAP_N")
		r, ok := kvGet(kvs, "CHAP_R")
		if !ok {
			return fmt.Errorf("login to target %q: %w", l.name, errors.New("mutual CHAP: the target sent no CHAP_R"))
		}
		resp, err := decodeCHAPBinary("CHAP_R", r)
		if err != nil {
			return fmt.Errorf("login to target %q: %w", l.name, err)
		}
		if n != a.InUsername {
			return fmt.Errorf("login to target %q: mutual CHAP authentication failed: the target calls itself %q, rd.iscsi.in.username is %q", l.name, truncateForMsg(n), a.InUsername)
		}
		if !chapVerify(myID, a.InPassword, myChallenge, resp) {
			return fmt.Errorf("login to target %q: %w", l.name, errISCSITargetAuth)
		}
	}
	return l.transited(rsp, 0)
}

// transited follows a response that should move the login on from the current stage: when the
// target did not transit yet, it asks again with no keys (a few times).
func (l *loginRun) transited(rsp *iscsiPDU, tries int) error {
	want := iscsiStageOperational
	if l.stage == iscsiStageOperational {
		want = iscsiStageFullFeature
	}
	for ; ; tries++ {
		if rsp.Transit() {
			if rsp.NSG() != want && !(l.stage == iscsiStageSecurity && rsp.NSG() == iscsiStageFullFeature) {
				return fmt.Errorf("login to target %q: the target moved to login stage %d, expected %d", l.name, rsp.NSG(), want)
			}
			l.stage = rsp.NSG()
			return nil
		}
		if tries >= 4 {
			return fmt.Errorf("login to target %q: the target did not finish login stage %d after %d requests", l.name, l.stage, tries+1)
		}
		var err error
		rsp, _, err = l.exchange(true, want, nil)
		if err != nil {
			return err
		}
	}
}

// operationalKeys are the keys goinit proposes (RFC 7143 13), and what iscsi_tcp supports.
func (l *loginRun) operationalKeys() []iscsiKV {
	kvs := []iscsiKV{
		{"HeaderDigest", "None"}, {"DataDigest", "None"},
		{"MaxRecvDataSegmentLength", strconv.Itoa(iscsiOurMaxRecvDSL)},
	}
	if l.cfg.Discovery {
		return kvs
	}
	return append(kvs,
		iscsiKV{"MaxConnections", "1"}, iscsiKV{"InitialR2T", "Yes"}, iscsiKV{"ImmediateData", "Yes"},
		iscsiKV{"MaxBurstLength", "16776192"}, iscsiKV{"FirstBurstLength", "262144"},
		iscsiKV{"DefaultTime2Wait", "2"}, iscsiKV{"DefaultTime2Retain", "0"},
		iscsiKV{"MaxOutstandingR2T", "1"}, iscsiKV{"DataPDUInOrder", "Yes"},
		iscsiKV{"DataSequenceInOrder", "Yes"}, iscsiKV{"ErrorRecoveryLevel", "0"},
		iscsiKV{"IFMarker", "No"}, iscsiKV{"OFMarker", "No"},
	)
}

// operational runs the operational stage (unless the target went to full feature phase
// straight from security) and records the negotiated values.
func (l *loginRun) operational() error {
	p := iscsiNegotiated{ // RFC 7143 defaults for keys the target does not answer
		InitialR2T: true, ImmediateData: true, DataPDUInOrder: true, DataSeqInOrder: true,
		MaxRecvDSL: iscsiOurMaxRecvDSL, MaxXmitDSL: 8192, MaxBurst: 262144, FirstBurst: 65536,
		MaxR2T: 1, DefaultTime2Wait: 2, DefaultTime2Retain: 20,
	}
	var all []iscsiKV
	if l.stage != iscsiStageFullFeature {
		rsp, kvs, err := l.exchange(true, iscsiStageFullFeature, l.operationalKeys())
		if err != nil {
			return err
		}
		all = append(all, kvs...)
		for tries := 0; !rsp.Transit(); tries++ {
			if tries >= 4 {
				return fmt.Errorf("login to target %q: the target did not finish the operational stage after %d requests", l.name, tries+1)
			}
			rsp, kvs, err = l.exchange(true, iscsiStageFullFeature, nil)
			if err != nil {
				return err
			}
			all = append(all, kvs...)
		}
		if rsp.NSG() != iscsiStageFullFeature {
			return fmt.Errorf("login to target %q: the target moved to login stage %d, expected %d", l.name, rsp.NSG(), iscsiStageFullFeature)
		}
		l.stage = iscsiStageFullFeature
	}
	if err := applyNegotiated(&p, all); err != nil {
		return fmt.Errorf("login to target %q: %w", l.name, err)
	}
	l.out.Params = p
	l.out.TSIH = l.tsih
	l.out.CmdSN = l.cmdSN
	l.out.ExpStatSN = l.expStatSN
	return nil
}

// applyNegotiated takes the target's answers into p, checking each.
func applyNegotiated(p *iscsiNegotiated, kvs []iscsiKV) error {
	yes := func(k, v string) (bool, error) {
		switch v {
		case "Yes":
			return true, nil
		case "No":
			return false, nil
		}
		return false, fmt.Errorf("the target answered %s=%q, expected Yes or No", k, truncateForMsg(v))
	}
	num := func(k, v string, lo, hi int) (int, error) {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return 0, fmt.Errorf("the target answered %s=%q, expected a number %d-%d", k, truncateForMsg(v), lo, hi)
		}
		return n, nil
	}
	var err error
	for _, kv := range kvs {
		k, v := kv.Key, kv.Value
		switch k {
		case "HeaderDigest", "DataDigest":
			if v != "None" {
				return fmt.Errorf("the target answered %s=%q; goinit offered only None", k, truncateForMsg(v))
			}
		case "InitialR2T":
			p.InitialR2T, err = yes(k, v)
		case "ImmediateData":
			p.ImmediateData, err = yes(k, v)
		case "DataPDUInOrder":
			p.DataPDUInOrder, err = yes(k, v)
		case "DataSequenceInOrder":
			p.DataSeqInOrder, err = yes(k, v)
		case "MaxRecvDataSegmentLength":
			p.MaxXmitDSL, err = num(k, v, 512, 1<<24-1)
		case "MaxBurstLength":
			p.MaxBurst, err = num(k, v, 512, 1<<24-1)
		case "FirstBurstLength":
			p.FirstBurst, err = num(k, v, 512, 1<<24-1)
		case "MaxOutstandingR2T":
			p.MaxR2T, err = num(k, v, 1, 65535)
		case "ErrorRecoveryLevel":
			p.ERL, err = num(k, v, 0, 2)
			if err == nil && p.ERL != 0 {
				err = fmt.Errorf("the target answered ErrorRecoveryLevel=%s; goinit offered 0", v)
			}
		case "DefaultTime2Wait":
			p.DefaultTime2Wait, err = num(k, v, 0, 3600)
		case "DefaultTime2Retain":
			p.DefaultTime2Retain, err = num(k, v, 0, 3600)
		case "MaxConnections":
			_, err = num(k, v, 1, 65535)
		case "IFMarker", "OFMarker":
			if v != "No" && v != "Irrelevant" {
				err = fmt.Errorf("the target answered %s=%q; goinit offered No", k, truncateForMsg(v))
			}
		}
		if err != nil {
			return err
		}
	}
	if p.FirstBurst > p.MaxBurst {
		p.FirstBurst = p.MaxBurst
	}
	return nil
}

// iscsiDiscovered is one target a SendTargets answer lists, with its portals (host:port,tpgt).
type iscsiDiscovered struct {
	Name    string
	Portals []string
}

// iscsiSendTargets asks a logged-in discovery session for every target (SendTargets=All),
// following continued answers, then logs out.
func iscsiSendTargets(conn io.ReadWriter, s *iscsiLoggedIn) ([]iscsiDiscovered, error) {
	cmdSN, expStatSN := s.CmdSN, s.ExpStatSN
	ttt := uint32(0xffffffff)
	var text []byte
	data := encodeISCSIText([]iscsiKV{{"SendTargets", "All"}})
	for round := 0; ; round++ {
		if round > 64 {
			return nil, fmt.Errorf("discovery: SendTargets answer longer than 64 PDUs")
		}
		b, err := iscsiTextRequest(1, ttt, cmdSN, expStatSN, data).Encode()
		if err != nil {
			return nil, err
		}
		if _, err := conn.Write(b); err != nil {
			return nil, fmt.Errorf("discovery: send SendTargets: %w", err)
		}
		rsp, err := readISCSIPDU(conn, 1<<20)
		if err != nil {
			return nil, fmt.Errorf("discovery: %w", err)
		}
		if rsp.Opcode() != iscsiOpTextRsp {
			return nil, fmt.Errorf("discovery: expected a text response to SendTargets, got opcode 0x%02x", rsp.Opcode())
		}
		expStatSN = rsp.StatSN() + 1
		cmdSN = rsp.ExpCmdSN()
		text = append(text, rsp.Data...)
		if rsp.Flags()&iscsiFlagF != 0 && !rsp.Continue() {
			break
		}
		ttt, data = rsp.TTT(), nil
	}
	// Log out politely; the answer does not matter.
	if b, err := iscsiLogoutRequest(2, 0, cmdSN, expStatSN).Encode(); err == nil {
		if _, err := conn.Write(b); err == nil {
			readISCSIPDU(conn, 1<<16) //nolint:errcheck
		}
	}
	return parseSendTargets(text)
}

// parseSendTargets reads TargetName= and TargetAddress= pairs.
func parseSendTargets(data []byte) ([]iscsiDiscovered, error) {
	kvs, err := parseISCSIText(data)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	var out []iscsiDiscovered
	for _, kv := range kvs {
		switch kv.Key {
		case "TargetName":
			out = append(out, iscsiDiscovered{Name: kv.Value})
		case "TargetAddress":
			if len(out) == 0 {
				return nil, fmt.Errorf("discovery: TargetAddress=%q before any TargetName", truncateForMsg(kv.Value))
			}
			out[len(out)-1].Portals = append(out[len(out)-1].Portals, kv.Value)
		}
	}
	return out, nil
}

// discoveredNames lists the names for an error message.
func discoveredNames(ts []iscsiDiscovered) string {
	if len(ts) == 0 {
		return "none"
	}
	var names []string
	for _, t := range ts {
		names = append(names, strconv.Quote(t.Name))
	}
	return strings.Join(names, ", ")
}
