package boot

import "github.com/goinit/goinit/netroot"

// startSupervisors starts the NBD reconnect supervisor for an NBD root as soon as it is
// attached, so that a connection that dies or stalls while goinit mounts the root is replaced
// too: a new session running goinit's own image (/proc/self/exe) as "@goinit-nbd<N>", which
// outlives the switch (its copy of the image stays mapped when the initramfs is deleted). It
// takes over goinit's copy of the socket for its stall watchdog. A failure is only a warning:
// the root works until its connection dies.
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
