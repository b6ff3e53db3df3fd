package netroot

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// NBDUnknownExportError is the answer to a request for an export the server does not have. It
// carries what NBD_OPT_LIST said, so the console can show the names the server does offer.
type NBDUnknownExportError struct {
	Export  string
	Server  string   // host:port
	Offered []string // the server's export names, when it listed them
	// Why the list is missing: the server refused (ListRefused names the reply), or listing
	// failed (ListErr).
	ListRefused string
	ListErr     error
}

const nbdMaxListedNames = 32

func (e *NBDUnknownExportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "nbd export %q not found on %s; ", e.Export, e.Server)
	switch {
	case e.ListErr != nil:
		fmt.Fprintf(&b, "listing its exports failed: %v", e.ListErr)
	case e.ListRefused != "":
		fmt.Fprintf(&b, "the server refused to list its exports: %s", e.ListRefused)
	case len(e.Offered) == 0:
		b.WriteString("the server offers no exports")
	default:
		b.WriteString("the server offers: ")
		for i, n := range e.Offered {
			if i == nbdMaxListedNames {
				fmt.Fprintf(&b, " and %d more", len(e.Offered)-i)
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", n)
		}
	}
	return b.String()
}

func (e *NBDUnknownExportError) Unwrap() error { return e.ListErr }

// unknownExport builds the error for an export the server does not know, with the server's
// list of exports (NBD_OPT_LIST), and ends the negotiation.
func (h *nbdHandshake) unknownExport() error {
	e := &NBDUnknownExportError{Export: h.export, Server: h.server}
	if err := h.sendOption(nbdOptList, nil); err != nil {
		e.ListErr = err
		return e
	}
	for i := 0; ; i++ {
		if i == nbdMaxReplies {
			e.ListErr = h.errorf("more than %d replies to %s", nbdMaxReplies, nbdOptName(nbdOptList))
			return e
		}
		rep, err := h.readReply(nbdOptList)
		if err != nil {
			e.ListErr = err
			return e
		}
		switch {
		case rep.typ == nbdRepAck:
			h.abort()
			return e
		case rep.typ == nbdRepServer:
			if len(rep.data) < 4 || uint64(binary.BigEndian.Uint32(rep.data)) > uint64(len(rep.data)-4) {
				e.ListErr = h.errorf("malformed NBD_REP_SERVER reply of %d bytes", len(rep.data))
				return e
			}
			n := binary.BigEndian.Uint32(rep.data)
			e.Offered = append(e.Offered, string(rep.data[4:4+n]))
		case rep.typ&nbdRepFlagError != 0:
			e.Offered = nil
			e.ListRefused = nbdRepName(rep.typ) + nbdServerMessage(rep.data)
			h.abort()
			return e
		default:
			e.ListErr = h.errorf("unexpected %s to %s", nbdRepShort(rep.typ), nbdOptName(nbdOptList))
			return e
		}
	}
}
