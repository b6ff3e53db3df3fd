package netroot

// Params lists the command-line parameters the netroot parsers read (besides root=, which boot
// owns). docs/cmdline.md must document each; a test checks it.
var Params = []string{
	"ip", "BOOTIF", "nameserver", "nfsroot", "aoeroot", "nbdroot", "block2mtd.block2mtd",
	"netroot", "rd.iscsi.initiator", "rd.iscsi.target.name", "rd.iscsi.target.ip", "rd.iscsi.target.port",
	"rd.iscsi.username", "rd.iscsi.password", "rd.iscsi.in.username", "rd.iscsi.in.password",
	"goinit.altroot", "goinit.rootorder", "goinit.trytime",
	"goinit.nbd.deadconn", "goinit.nbd.timeout",
}
