package netroot

import "fmt"

// NBD protocol numbers, from doc/proto.md of the NBD project.
const (
	nbdMagic         = 0x4e42444d41474943 // "NBDMAGIC"
	nbdOptMagic      = 0x49484156454f5054 // "IHAVEOPT"
	nbdOldstyleMagic = 0x0000420281861253
	nbdReplyMagic    = 0x0003e889045565a9

	// Handshake flags (server) and client flags.
	nbdFlagFixedNewstyle = 1 << 0
	nbdFlagNoZeroes      = 1 << 1

	nbdOptExportName = 1
	nbdOptAbort      = 2
	nbdOptList       = 3
	nbdOptInfo       = 6
	nbdOptGo         = 7

	nbdRepAck    = 1
	nbdRepServer = 2
	nbdRepInfo   = 3

	nbdRepFlagError        = 1 << 31
	nbdRepErrUnsup         = nbdRepFlagError | 1
	nbdRepErrPolicy        = nbdRepFlagError | 2
	nbdRepErrInvalid       = nbdRepFlagError | 3
	nbdRepErrPlatform      = nbdRepFlagError | 4
	nbdRepErrTLSReqd       = nbdRepFlagError | 5
	nbdRepErrUnknown       = nbdRepFlagError | 6
	nbdRepErrShutdown      = nbdRepFlagError | 7
	nbdRepErrBlockSizeReqd = nbdRepFlagError | 8
	nbdRepErrTooBig        = nbdRepFlagError | 9
	nbdRepErrExtHeaderReqd = nbdRepFlagError | 10

	nbdInfoExport      = 0
	nbdInfoName        = 1
	nbdInfoDescription = 2
	nbdInfoBlockSize   = 3

	nbdMaxReplyLen = 64 << 10 // cap on one option reply's data
	nbdMaxReplies  = 1024     // cap on the replies to one option
)

// Transmission flags, as in Export.Flags.
const (
	NBDFlagHasFlags        uint16 = 1 << 0
	NBDFlagReadOnly        uint16 = 1 << 1
	NBDFlagSendFlush       uint16 = 1 << 2
	NBDFlagSendFUA         uint16 = 1 << 3
	NBDFlagRotational      uint16 = 1 << 4
	NBDFlagSendTrim        uint16 = 1 << 5
	NBDFlagSendWriteZeroes uint16 = 1 << 6
	NBDFlagSendDF          uint16 = 1 << 7
	NBDFlagCanMultiConn    uint16 = 1 << 8
	NBDFlagSendResize      uint16 = 1 << 9
	NBDFlagSendCache       uint16 = 1 << 10
	NBDFlagSendFastZero    uint16 = 1 << 11
)

func nbdOptName(opt uint32) string {
	switch opt {
	case nbdOptExportName:
		return "NBD_OPT_EXPORT_NAME"
	case nbdOptAbort:
		return "NBD_OPT_ABORT"
	case nbdOptList:
		return "NBD_OPT_LIST"
	case nbdOptInfo:
		return "NBD_OPT_INFO"
	case nbdOptGo:
		return "NBD_OPT_GO"
	}
	return fmt.Sprintf("option %d", opt)
}

var nbdRepNames = map[uint32][2]string{
	nbdRepAck:              {"NBD_REP_ACK", ""},
	nbdRepServer:           {"NBD_REP_SERVER", ""},
	nbdRepInfo:             {"NBD_REP_INFO", ""},
	nbdRepErrUnsup:         {"NBD_REP_ERR_UNSUP", "option not supported"},
	nbdRepErrPolicy:        {"NBD_REP_ERR_POLICY", "forbidden by server policy"},
	nbdRepErrInvalid:       {"NBD_REP_ERR_INVALID", "invalid request"},
	nbdRepErrPlatform:      {"NBD_REP_ERR_PLATFORM", "not supported on the server's platform"},
	nbdRepErrTLSReqd:       {"NBD_REP_ERR_TLS_REQD", "the server requires TLS, which goinit does not speak"},
	nbdRepErrUnknown:       {"NBD_REP_ERR_UNKNOWN", "no such export"},
	nbdRepErrShutdown:      {"NBD_REP_ERR_SHUTDOWN", "the server is shutting down"},
	nbdRepErrBlockSizeReqd: {"NBD_REP_ERR_BLOCK_SIZE_REQD", "the server requires block size negotiation"},
	nbdRepErrTooBig:        {"NBD_REP_ERR_TOO_BIG", "request too big"},
	nbdRepErrExtHeaderReqd: {"NBD_REP_ERR_EXT_HEADER_REQD", "the server requires extended headers"},
}

// nbdRepShort names a reply type: NBD_REP_ERR_POLICY.
func nbdRepShort(typ uint32) string {
	if n, ok := nbdRepNames[typ]; ok {
		return n[0]
	}
	if typ&nbdRepFlagError != 0 {
		return fmt.Sprintf("error reply 0x%08x", typ)
	}
	return fmt.Sprintf("reply type %d", typ)
}

// nbdRepName names a reply type with an explanation for errors:
// NBD_REP_ERR_POLICY (forbidden by server policy).
func nbdRepName(typ uint32) string {
	if n, ok := nbdRepNames[typ]; ok && n[1] != "" {
		return n[0] + " (" + n[1] + ")"
	}
	return nbdRepShort(typ)
}

// nbdServerMessage renders the text an error reply may carry: empty, or `: server says "…"`,
// cut to a readable length.
func nbdServerMessage(data []byte) string {
	if len(data) == 0 {
		return ""
	}
	const max = 200
	if len(data) > max {
		return fmt.Sprintf(": server says %q…", data[:max])
	}
	return fmt.Sprintf(": server says %q", data)
}
