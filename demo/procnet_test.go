package main

import "testing"

const tcpTable = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100630A:0801 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41 1 0 100 0 0 10 0
   1: 0100630A:4E50 6400630A:03FF 01 00000000:00000000 00:00000000 00000000     0        0 42 1 0 20 4 30 10 -1
`

const tcp6Table = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:006F 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1 0 100 0 0 10 0
`

const udpTable = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 00000000:0043 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 9 2 0 0
`

func TestListensOn(t *testing.T) {
	tests := []struct {
		name       string
		table      string
		port       int
		listenOnly bool
		want       bool
	}{
		{"nfs listening", tcpTable, 2049, true, true},
		{"mountd only connected", tcpTable, 20048, true, false},
		{"connected counts without listenOnly", tcpTable, 20048, false, true},
		{"port absent", tcpTable, 111, true, false},
		{"tcp6 rpcbind", tcp6Table, 111, true, true},
		{"udp dhcp", udpTable, 67, false, true},
		{"udp other port", udpTable, 68, false, false},
		{"header only", "  sl  local_address\n", 67, false, false},
		{"empty", "", 67, false, false},
		{"garbage lines", "hdr\nx y\n 0: nocolon 0 0A\n 1: 0:zz 0 0A\n", 67, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := listensOn(tt.table, tt.port, tt.listenOnly); got != tt.want {
				t.Errorf("listensOn(port %d, listenOnly %v) = %v, want %v", tt.port, tt.listenOnly, got, tt.want)
			}
		})
	}
}

func FuzzListensOn(f *testing.F) {
	f.Add(tcpTable, 2049)
	f.Add(tcp6Table, 111)
	f.Add(udpTable, 67)
	f.Add("hdr\n 0: :FFFFF 0 0A\n", 0)
	f.Fuzz(func(t *testing.T, table string, port int) {
		listensOn(table, port, true)
		listensOn(table, port, false)
	})
}
