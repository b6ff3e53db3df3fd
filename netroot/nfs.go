package netroot

import (
	"fmt"
	"net/netip"
	"strings"
)

const (
	nfsrootExpected = "[<server-ip>:]<path>[,<nfs-options>], e.g. nfsroot=10.99.0.1:/export,ro,nolock"
	rootNFSExpected = "nfs:[<server-ip>:]<path>[:<nfs-options>] or nfs4:…, e.g. root=nfs:10.99.0.1:/export:ro"
	rootPathExpect  = "[nfs:|nfs4:][<server-ip>:]<path>[:<nfs-options>] or <server-ip>:<path>[,<nfs-options>]"
	// kernelDefaultPath is the kernel's export path for root=/dev/nfs when neither nfsroot=
	// nor DHCP names one.
	kernelDefaultPath = "/tftpboot/%s"
)

// nfsVersions are the versions vers= may name.
var nfsVersions = map[string]bool{"2": true, "3": true, "4": true, "4.0": true, "4.1": true, "4.2": true}

// NFSRoot is an NFS root as the command line or DHCP describes it, before and after Resolve.
type NFSRoot struct {
	// Server is the server's IP address without brackets; empty: from DHCP (Resolve).
	Server string
	// Path is the export path, maybe with the kernel's "%s" (the client's IP address); empty
	// for root=/dev/nfs without nfsroot=: from DHCP's root-path (Resolve).
	Path string
	// Options are the mount options as written, without the version ones.
	Options []string
	// Version is "2", "3", "4", "4.0", "4.1" or "4.2" from vers=/nfsvers=/v<N> or nfs4:;
	// empty: try 4.2, then 3 (V3First: 3, then 4.2).
	Version string
	// V3First is set for root=/dev/nfs, the kernel's and initramfs-tools' form: both mount
	// NFSv3 when no version is named (the kernel's nfsroot defaults to vers=3, klibc's
	// nfsmount speaks only v2/v3), so goinit tries 3 before 4.2 there. The v3 client is also
	// the smaller one to load.
	V3First bool
}

// IsNFSRoot reports whether root= names an NFS root on the command line: root=/dev/nfs,
// root=nfs:… or root=nfs4:…. (root=dhcp is NFS only if DHCP's root-path says so.)
func IsNFSRoot(c Cmdline) bool {
	root, _ := c.Get("root")
	return root == "/dev/nfs" || strings.HasPrefix(root, "nfs:") || strings.HasPrefix(root, "nfs4:")
}

// ParseNFS reads an NFS root from the command line: root=/dev/nfs with nfsroot= (the kernel's
// and the seed's form; without nfsroot= Path stays empty for DHCP's root-path), or
// root=nfs:… / root=nfs4:… (dracut's form). A top-level rw makes the root writable unless
// the NFS options say ro or rw themselves.
func ParseNFS(c Cmdline) (NFSRoot, error) {
	root, _ := c.Get("root")
	var r NFSRoot
	var err error
	switch {
	case root == "/dev/nfs":
		v, ok := c.Get("nfsroot")
		if !ok {
			break
		}
		r, err = parseNFSKernel(v, func(reason string) error {
			return &ParamError{Param: "nfsroot", Value: v, Reason: reason, Expected: nfsrootExpected}
		})
	case strings.HasPrefix(root, "nfs:"), strings.HasPrefix(root, "nfs4:"):
		r, err = parseNFSDracut(root, func(reason string) error {
			return &ParamError{Param: "root", Value: root, Reason: reason, Expected: rootNFSExpected}
		})
	default:
		return NFSRoot{}, &ParamError{Param: "root", Value: root, Reason: "not an NFS root",
			Expected: "root=/dev/nfs with nfsroot=, root=nfs:… or root=nfs4:…"}
	}
	if err != nil {
		return NFSRoot{}, err
	}
	r.V3First = root == "/dev/nfs"
	if c.Has("rw") && !c.Has("ro") && !hasRoRw(r.Options) {
		r.Options = append(r.Options, "rw")
	}
	return r, nil
}

// ParseNFSRootPath reads DHCP option 17 for root=dhcp (or root=/dev/nfs without nfsroot=):
// nfs:…, nfs4:… as in root=, or a plain [<server-ip>:]<path> with options after "," or ":".
// The caller dispatches nbd:, iscsi: and aoe: root paths elsewhere.
func ParseNFSRootPath(v string) (NFSRoot, error) {
	bad := func(reason string) error {
		return fmt.Errorf("dhcp root-path %q: %s: expected %s", v, reason, rootPathExpect)
	}
	if strings.HasPrefix(v, "nfs:") || strings.HasPrefix(v, "nfs4:") {
		return parseNFSDracut(v, bad)
	}
	server, rest, err := splitServer(v)
	if err != nil {
		return NFSRoot{}, bad(err.Error())
	}
	path, opts := rest, ""
	if i := strings.IndexAny(rest, ",:"); i >= 0 {
		path, opts = rest[:i], rest[i+1:]
	}
	return finishNFS(server, path, opts, "", bad)
}

// parseNFSKernel reads nfsroot=[<server>:]<path>[,<options>].
func parseNFSKernel(v string, bad func(string) error) (NFSRoot, error) {
	server, rest, err := splitServer(v)
	if err != nil {
		return NFSRoot{}, bad(err.Error())
	}
	path, opts, _ := strings.Cut(rest, ",")
	return finishNFS(server, path, opts, "", bad)
}

// parseNFSDracut reads nfs:[<server>:]<path>[:<options>] and nfs4:….
func parseNFSDracut(v string, bad func(string) error) (NFSRoot, error) {
	scheme, rest, _ := strings.Cut(v, ":")
	server, rest, err := splitServer(rest)
	if err != nil {
		return NFSRoot{}, bad(err.Error())
	}
	path, opts, _ := strings.Cut(rest, ":")
	vers := ""
	if scheme == "nfs4" {
		vers = "4"
	}
	return finishNFS(server, path, opts, vers, bad)
}

// splitServer splits "[<server>:]<rest>": a server is an IPv4 address, or an IPv6 one in
// brackets, before the first colon; a leading "/" means there is none.
func splitServer(v string) (server, rest string, err error) {
	if strings.HasPrefix(v, "[") {
		end := strings.Index(v, "]")
		if end < 0 || !strings.HasPrefix(v[end+1:], ":") {
			return "", "", fmt.Errorf("server %q lacks its closing \"]:\"", v)
		}
		host := v[1:end]
		a, perr := netip.ParseAddr(host)
		if perr != nil || !a.Is6() || a.Zone() != "" {
			return "", "", fmt.Errorf("server %q is not an IPv6 address", host)
		}
		return a.String(), v[end+2:], nil
	}
	host, after, found := strings.Cut(v, ":")
	if !found && looksLikeIPv4(v) {
		return "", "", fmt.Errorf("no export path after server %q", v)
	}
	if !found || strings.HasPrefix(host, "/") {
		return "", v, nil
	}
	if host == "" {
		return "", after, nil
	}
	a, perr := netip.ParseAddr(host)
	if perr != nil || !a.Is4() {
		return "", "", fmt.Errorf("server %q is not an IP address (goinit does not resolve host names: give the server's IP)", host)
	}
	return a.String(), after, nil
}

// finishNFS validates the path and options and takes the version out of the options.
func finishNFS(server, path, opts, vers string, bad func(string) error) (NFSRoot, error) {
	switch {
	case path == "":
		return NFSRoot{}, bad("the export path is empty")
	case !strings.HasPrefix(path, "/"):
		return NFSRoot{}, bad(fmt.Sprintf("export path %q does not start with /", path))
	}
	r := NFSRoot{Server: server, Path: path, Version: vers}
	for _, o := range strings.Split(opts, ",") {
		if o == "" {
			continue
		}
		if v, ok := versionOption(o); ok {
			if !nfsVersions[v] {
				return NFSRoot{}, bad(fmt.Sprintf("NFS version %q in option %q is not one of 2, 3, 4, 4.0, 4.1, 4.2", v, o))
			}
			r.Version = v
			continue
		}
		r.Options = append(r.Options, o)
	}
	return r, nil
}

// versionOption recognises vers=N, nfsvers=N and the kernel's vN flags.
func versionOption(o string) (string, bool) {
	if k, v, ok := strings.Cut(o, "="); ok {
		if k == "vers" || k == "nfsvers" {
			return v, true
		}
		return "", false
	}
	if len(o) > 1 && o[0] == 'v' && o[1] >= '0' && o[1] <= '9' {
		return o[1:], true
	}
	return "", false
}

func hasRoRw(opts []string) bool {
	for _, o := range opts {
		if o == "ro" || o == "rw" {
			return true
		}
	}
	return false
}

// Resolve completes r with what the network brought: for root=/dev/nfs without nfsroot= the
// root path from DHCP (else the kernel's /tftpboot/%s); a missing server from the lease's
// next-server, then its DHCP server identifier (for a static ip=, its <server> field); and the
// client's address for "%s" in the path.
func (r NFSRoot) Resolve(l *Lease) (NFSRoot, error) {
	if r.Path == "" {
		if l != nil && l.RootPath != "" {
			rp, err := ParseNFSRootPath(l.RootPath)
			if err != nil {
				return NFSRoot{}, err
			}
			rp.Options = append(rp.Options, r.Options...)
			if rp.Server == "" {
				rp.Server = r.Server
			}
			if rp.Version == "" {
				rp.Version = r.Version
			}
			rp.V3First = r.V3First
			r = rp
		} else {
			r.Path = kernelDefaultPath
		}
	}
	if r.Server == "" {
		if l == nil || !l.RootServer().IsValid() {
			return NFSRoot{}, fmt.Errorf("nfs root %s: no server: the parameter names none and DHCP gave no next-server or server identifier", r.Path)
		}
		r.Server = l.RootServer().String()
	}
	if strings.Contains(r.Path, "%s") {
		if l == nil || !l.Address.IsValid() {
			return NFSRoot{}, fmt.Errorf("nfs root %s: the path holds %%s but there is no client address", r.Path)
		}
		r.Path = strings.ReplaceAll(r.Path, "%s", l.Address.String())
	}
	r.Options = append([]string(nil), r.Options...)
	return r, nil
}

// Source is the mount source, server:path ([server]:path for IPv6).
func (r NFSRoot) Source() string {
	if strings.Contains(r.Server, ":") {
		return "[" + r.Server + "]:" + r.Path
	}
	return r.Server + ":" + r.Path
}
