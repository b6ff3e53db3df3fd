package netroot

import (
	"fmt"
	"strings"
)

// Parse picks the attacher for the root the command line names. It is pure: it validates the
// forms and never touches the network or devices.
func Parse(c Cmdline, env Env) (Attacher, error) {
	root, _ := c.Get("root")
	switch {
	case root == "":
		return nil, fmt.Errorf("cmdline: no root= parameter: expected root=/dev/<name>, UUID=<uuid>, LABEL=<label>, PARTUUID=<uuid>, PARTLABEL=<label> or a network root")
	case isNetworkRoot(root, c):
		return nil, fmt.Errorf("cmdline: root=%q: network roots are not supported by this build yet", root)
	}
	spec, err := ParseRootSpec(root)
	if err != nil {
		return nil, err
	}
	return NewBlock(spec, env), nil
}

// isNetworkRoot tells the network forms of root= from the local ones.
func isNetworkRoot(root string, c Cmdline) bool {
	for _, p := range []string{"nfs:", "nfs4:", "nbd:", "iscsi:", "aoe:", "/dev/etherd/"} {
		if strings.HasPrefix(root, p) {
			return true
		}
	}
	switch root {
	case "/dev/nfs", "dhcp", "dhcp6":
		return true
	}
	if strings.HasPrefix(root, "/dev/nbd") && c.Has("nbdroot") {
		return true
	}
	return c.Has("aoeroot") || c.Has("netroot")
}
