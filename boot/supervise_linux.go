package boot

import "github.com/goinit/goinit/netroot"

// startSupervisors leaves the NBD reconnect supervisor behind for an NBD root: a new session
// running goinit's own image (/proc/self/exe) as "@goinit-nbd<N>", started before the initramfs is
// deleted. A failure is only a warning: the root works until its server restarts.
func (b *Boot) startSupervisors() {
	s, ok := netroot.NBDSupervision(b.attacher)
	if !ok {
		return
	}
	pid, err := netroot.StartNBDSupervisor("/proc/self/exe", s)
	if err != nil {
		b.Log.Printf("warning: %v: a restart of the NBD server will not be ridden out", err)
		return
	}
	b.Log.Printf("nbd reconnect supervisor %s: pid %d", s.Argv()[0], pid)
}
