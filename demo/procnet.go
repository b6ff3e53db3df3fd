package main

import (
	"strconv"
	"strings"
)

// tcpListen is the state column of a listening socket in /proc/net/tcp and tcp6.
const tcpListen = "0A"

// listensOn reports whether a /proc/net/{tcp,tcp6,udp,udp6} table has a socket on the local
// port; with listenOnly (TCP) the socket must also be in the LISTEN state. Malformed lines are
// skipped.
func listensOn(table string, port int, listenOnly bool) bool {
	lines := strings.Split(table, "\n")
	for _, line := range lines[1:] { // the first line is the header
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		i := strings.LastIndexByte(f[1], ':')
		if i < 0 {
			continue
		}
		p, err := strconv.ParseUint(f[1][i+1:], 16, 16)
		if err != nil || int(p) != port {
			continue
		}
		if listenOnly && f[3] != tcpListen {
			continue
		}
		return true
	}
	return false
}
