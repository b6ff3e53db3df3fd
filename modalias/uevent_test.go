package modalias

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseUevent(t *testing.T) {
	tests := []struct {
		name    string
		msg     string
		want    Uevent
		wantErr string
	}{
		{
			name: "scsi disk",
			msg: "add@/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0\x00ACTION=add\x00" +
				"DEVPATH=/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0\x00SUBSYSTEM=scsi\x00" +
				"DEVTYPE=scsi_device\x00MODALIAS=scsi:t-0x00\x00SEQNUM=1234\x00",
			want: Uevent{Action: "add", DevPath: "/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0",
				Subsystem: "scsi", Modalias: "scsi:t-0x00", Env: map[string]string{
					"ACTION": "add", "DEVPATH": "/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0",
					"SUBSYSTEM": "scsi", "DEVTYPE": "scsi_device", "MODALIAS": "scsi:t-0x00", "SEQNUM": "1234"}},
		},
		{
			name: "block device, no trailing NUL, junk entry",
			msg:  "add@/devices/virtual/block/nbd0\x00ACTION=add\x00SUBSYSTEM=block\x00DEVNAME=nbd0\x00junk\x00=x\x00MAJOR=43",
			want: Uevent{Action: "add", DevPath: "/devices/virtual/block/nbd0", Subsystem: "block", DevName: "nbd0",
				Env: map[string]string{"ACTION": "add", "SUBSYSTEM": "block", "DEVNAME": "nbd0", "MAJOR": "43"}},
		},
		{
			name: "header only",
			msg:  "remove@/devices/x",
			want: Uevent{Action: "remove", DevPath: "/devices/x", Env: map[string]string{}},
		},
		{name: "udev format", msg: "libudev\x00\xfe\xed\xca\xfe", wantErr: "parse uevent: udev-format message, want a kernel uevent"},
		{name: "no @", msg: "ACTION=add\x00", wantErr: `parse uevent: header "ACTION=add": want "ACTION@DEVPATH"`},
		{name: "empty", msg: "", wantErr: `parse uevent: header "": want "ACTION@DEVPATH"`},
		{name: "empty action", msg: "@/devices/x\x00", wantErr: `parse uevent: header "@/devices/x": want "ACTION@DEVPATH"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseUevent([]byte(tt.msg))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseUevent(f *testing.F) {
	f.Add([]byte("add@/devices/virtual/block/nbd0\x00ACTION=add\x00SUBSYSTEM=block\x00DEVNAME=nbd0\x00"))
	f.Add([]byte("libudev\x00"))
	f.Add([]byte("@\x00=\x00"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		ev, err := ParseUevent(msg)
		if err != nil {
			return
		}
		if ev.Action == "" || ev.DevPath == "" {
			t.Fatalf("parsed %q into %+v without action or path", msg, ev)
		}
		if !strings.Contains(string(msg), "@") {
			t.Fatalf("parsed %q without '@'", msg)
		}
	})
}

func TestHotplug(t *testing.T) {
	k := newFakeKernel()
	l, log := newTestLoader(t, fixtureDir(t), k)
	events := make(chan Uevent, 8)
	events <- Uevent{Action: "add", DevPath: "/devices/x/0:0:0:0", Modalias: "scsi:t-0x00"}
	events <- Uevent{Action: "remove", DevPath: "/devices/y", Modalias: "virtio:d00000001v00001AF4"}
	events <- Uevent{Action: "add", DevPath: "/devices/z", Modalias: "scsi:t-0x05"} // no module: ignored
	events <- Uevent{Action: "add", DevPath: "/devices/virtual/block/nbd0"}         // no modalias
	events <- Uevent{Action: "add", DevPath: "/devices/b", Modalias: "pci:v0000BEEFd00000001sv00000000sd00000000bc02sc00i00"}
	k.fail["broken"] = context.DeadlineExceeded
	close(events)
	if err := Hotplug(context.Background(), l, events); err != nil {
		t.Fatal(err)
	}
	if got := k.Calls(); !sameSet(got, []string{"sd_mod", "broken"}) {
		t.Errorf("insertions = %q, want sd_mod and broken", got)
	}
	if !strings.Contains(log.String(), "modalias: hotplug /devices/b (pci:v0000BEEF") {
		t.Errorf("failure not logged:\n%s", log)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := Hotplug(ctx, l, make(chan Uevent)); err != context.DeadlineExceeded {
		t.Errorf("Hotplug with an idle channel = %v, want deadline exceeded", err)
	}
}
