package netroot

import (
	"encoding/binary"
	"strconv"
)

// The kernel's iSCSI netlink interface (include/scsi/iscsi_if.h): message types, parameter
// numbers and the layout of struct iscsi_uevent (56 bytes on every architecture).
const (
	iscsiNetlinkProto = 8 // NETLINK_ISCSI

	iscsiUeventCreateSession  = 11
	iscsiUeventDestroySession = 12
	iscsiUeventCreateConn     = 13
	iscsiUeventDestroyConn    = 14
	iscsiUeventBindConn       = 15
	iscsiUeventSetParam       = 16
	iscsiUeventStartConn      = 17
	iscsiUeventStopConn       = 18
	iscsiKeventIfError        = 103

	iscsiUeventLen = 56
	iscsiStopTerm  = 0x2 // STOP_CONN_TERM

	iscsiCmdsMax    = 128
	iscsiQueueDepth = 32
)

// enum iscsi_param.
const (
	iscsiParamMaxRecvDLength   = 0
	iscsiParamMaxXmitDLength   = 1
	iscsiParamHdrDgstEn        = 2
	iscsiParamDataDgstEn       = 3
	iscsiParamInitialR2TEn     = 4
	iscsiParamMaxR2T           = 5
	iscsiParamImmDataEn        = 6
	iscsiParamFirstBurst       = 7
	iscsiParamMaxBurst         = 8
	iscsiParamPDUInOrderEn     = 9
	iscsiParamDataSeqInOrderEn = 10
	iscsiParamERL              = 11
	iscsiParamExpStatSN        = 14
	iscsiParamTargetName       = 15
	iscsiParamTPGT             = 16
	iscsiParamPersistentAddr   = 17
	iscsiParamPersistentPort   = 18
	iscsiParamSessRecoveryTmo  = 19
	iscsiParamInitiatorName    = 34
)

// iscsiKernelRequest is what the kernel needs to take over a logged-in connection. No secret
// is ever passed: the kernel would show it in sysfs.
type iscsiKernelRequest struct {
	FD            int
	InitialCmdSN  uint32
	Target        string
	Initiator     string
	Address       string // portal IP address
	Port          uint16
	TPGT          int
	ExpStatSN     uint32
	Params        iscsiNegotiated
	RecoveryTmo   int // seconds the kernel keeps I/O queued after a connection failure
	TransportName string
}

// iscsiKernelSession is the session the kernel created: its SCSI host number names
// /sys/class/scsi_host/host<N>.
type iscsiKernelSession struct {
	SID, CID, HostNo uint32
}

// setParams lists the set_param calls, in the order iscsid makes them.
func (r iscsiKernelRequest) setParams() []struct {
	param uint32
	value string
} {
	b := func(v bool) string {
		if v {
			return "1"
		}
		return "0"
	}
	n := strconv.Itoa
	p := r.Params
	out := []struct {
		param uint32
		value string
	}{
		{iscsiParamTargetName, r.Target},
		{iscsiParamInitiatorName, r.Initiator},
		{iscsiParamMaxRecvDLength, n(p.MaxRecvDSL)},
		{iscsiParamMaxXmitDLength, n(p.MaxXmitDSL)},
		{iscsiParamHdrDgstEn, "0"},
		{iscsiParamDataDgstEn, "0"},
		{iscsiParamInitialR2TEn, b(p.InitialR2T)},
		{iscsiParamMaxR2T, n(p.MaxR2T)},
		{iscsiParamImmDataEn, b(p.ImmediateData)},
		{iscsiParamFirstBurst, n(p.FirstBurst)},
		{iscsiParamMaxBurst, n(p.MaxBurst)},
		{iscsiParamPDUInOrderEn, b(p.DataPDUInOrder)},
		{iscsiParamDataSeqInOrderEn, b(p.DataSeqInOrder)},
		{iscsiParamERL, n(p.ERL)},
		{iscsiParamExpStatSN, strconv.FormatUint(uint64(r.ExpStatSN), 10)},
		{iscsiParamPersistentAddr, r.Address},
		{iscsiParamPersistentPort, n(int(r.Port))},
		{iscsiParamSessRecoveryTmo, n(r.RecoveryTmo)},
	}
	if r.TPGT >= 0 {
		out = append(out, struct {
			param uint32
			value string
		}{iscsiParamTPGT, n(r.TPGT)})
	}
	return out
}

// iscsiUevent encodes a struct iscsi_uevent of type typ for transport handle, with the u
// union's bytes and data after the struct.
func iscsiUevent(typ uint32, handle uint64, u []byte, data []byte) []byte {
	b := make([]byte, iscsiUeventLen+len(data))
	binary.NativeEndian.PutUint32(b[0:], typ)
	binary.NativeEndian.PutUint64(b[8:], handle)
	copy(b[16:40], u)
	copy(b[iscsiUeventLen:], data)
	return b
}

func iscsiU32s(vs ...uint32) []byte {
	b := make([]byte, 4*len(vs))
	for i, v := range vs {
		binary.NativeEndian.PutUint32(b[4*i:], v)
	}
	return b
}
