package idmap

import (
	"fmt"
	"strings"
)

// Request is one id_resolver key: Kind "uid" or "gid" maps a name to an id, "user" or "group"
// an id to a name. Name is what the server sent, e.g. "root@localdomain".
type Request struct {
	Kind string
	Name string
}

// String is the key's description, e.g. "uid:root@localdomain".
func (r Request) String() string { return r.Kind + ":" + r.Name }

// Local is the name without its NFSv4 domain: "root" for "root@localdomain".
func (r Request) Local() string {
	if i := strings.LastIndexByte(r.Name, '@'); i >= 0 {
		return r.Name[:i]
	}
	return r.Name
}

// ParseDescribe splits the kernel's KEYCTL_DESCRIBE answer "type;uid;gid;perm;description"
// into the key type and its description (which may itself contain ';').
func ParseDescribe(s string) (keyType, desc string, err error) {
	f := strings.SplitN(s, ";", 5)
	if len(f) != 5 || f[0] == "" {
		return "", "", fmt.Errorf("parse key description %q: want type;uid;gid;perm;description", s)
	}
	return f[0], f[4], nil
}

// ParseRequest parses an id_resolver description such as "uid:root@localdomain".
func ParseRequest(desc string) (Request, error) {
	kind, name, ok := strings.Cut(desc, ":")
	switch {
	case !ok || name == "":
		return Request{}, fmt.Errorf("parse id_resolver key %q: want <uid|gid|user|group>:<name or id>", desc)
	case kind != "uid" && kind != "gid" && kind != "user" && kind != "group":
		return Request{}, fmt.Errorf("parse id_resolver key %q: unknown kind %q, want uid, gid, user or group", desc, kind)
	}
	return Request{Kind: kind, Name: name}, nil
}
