package idmap

import (
	"fmt"
	"strings"
)

// Remedies is what an operator can do when goinit cannot map the names.
const Remedies = "have the server send numeric owners (nfs-ganesha: NFSV4 { Only_Numeric_Owners = true; }; " +
	"the Linux server does for sec=sys while its nfs4_disable_idmapping is on) or boot NFSv3 (vers=3)"

// Report is goinit's console output after mapping: names are the requests the helper saw
// (nothing to say without any: the server sends numbers), unmapped the root's paths whose owner
// or group is still Unmapped afterwards. info is empty without names; warning is empty unless
// some path stayed unmapped.
func Report(names, unmapped []string) (info, warning string) {
	if len(names) == 0 {
		return "", ""
	}
	shown := names
	if len(shown) > 4 {
		shown = append(append([]string{}, shown[:4]...), fmt.Sprintf("and %d more", len(names)-4))
	}
	info = fmt.Sprintf("nfs: the server sends owner names (%s), not numbers: goinit maps them from the root's "+
		"/etc/passwd and /etc/group and keeps them cached, so the kernel need not run /sbin/request-key from the NFS root for them",
		strings.Join(shown, ", "))
	if len(unmapped) > 0 {
		warning = fmt.Sprintf("warning: nfs: the owner of %s stays unmapped (its name is not in the root's /etc/passwd or /etc/group): "+
			"after the switch the kernel maps it with /sbin/request-key from this NFS root, which can hang the system for good "+
			"a minute or more after the mount; %s", strings.Join(unmapped, ", "), Remedies)
	}
	return info, warning
}
