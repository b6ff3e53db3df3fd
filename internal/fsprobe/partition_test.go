package fsprobe

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// partxParts lists a disk image's partitions with partx (libblkid), in 512-byte sectors.
func partxParts(t *testing.T, img string) []Partition {
	t.Helper()
	out := run(t, "partx", "-g", "-r", "-o", "NR,START,SECTORS,TYPE,UUID,NAME", img)
	return parseListing(t, string(out), 512, 0)
}

// parseListing reads "NR START SECTORS TYPE UUID [NAME]" lines; nameCol is where a listing's
// name column starts when names are padded (fdisk), 0 for partx's raw escaped names.
func parseListing(t *testing.T, out string, sector int64, nameCol int) []Partition {
	t.Helper()
	parts := []Partition{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 5 {
			t.Fatalf("listing line %q: want NR START SECTORS TYPE UUID [NAME]", line)
		}
		num, err1 := strconv.Atoi(trailingDigits(f[0])) // "3" from partx, "/tmp/x/disk.img3" from fdisk
		start, err2 := strconv.ParseInt(f[1], 10, 64)
		sectors, err3 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("listing line %q: bad numbers", line)
		}
		p := Partition{Number: num, Start: start * sector, Size: sectors * sector,
			Type: strings.ToLower(f[3]), PartUUID: strings.ToLower(f[4])}
		switch {
		case nameCol > 0 && len(line) > nameCol:
			p.PartLabel = strings.TrimSpace(line[nameCol:])
		case nameCol == 0 && len(f) > 5:
			p.PartLabel = unescapeHex(f[5])
		}
		parts = append(parts, p)
	}
	return parts
}

func trailingDigits(s string) string {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	return s[i:]
}

func samePartitions(t *testing.T, label string, got, want []Partition) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d partitions, want %d\n got %+v\nwant %+v", label, len(got), len(want), got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: partition %d\n got %+v\nwant %+v", label, i, got[i], want[i])
		}
	}
}

func readParts(t *testing.T, img string, sectorSize int) ([]Partition, error) {
	t.Helper()
	r, size := openChecked(t, img)
	return Partitions(r, size, sectorSize)
}

const (
	typeLinux = "0fc63daf-8483-4772-8e79-3d69d8477de4"
	typeSwap  = "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f"
	typeESP   = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
)

// gptScript is an sfdisk script with named partitions, a gap in the numbering (3 unused), a
// non-ASCII name and one partition whose GUID sfdisk picks at random.
const gptScript = `label: gpt
label-id: 11111111-2222-3333-4444-555555555555
disk.img1 : size=4MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI system", uuid=AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE
disk.img2 : size=16MiB, type=L, name="root", uuid=0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9
disk.img4 : size=8MiB, type=S, name="swäp ünd mehr"
`

func TestPartitionsGPT(t *testing.T) {
	t.Parallel()
	img := sparseFile(t, t.TempDir(), "disk.img", 64<<20)
	runIn(t, []byte(gptScript), "sfdisk", "-q", img)

	got, err := readParts(t, img, 512)
	if err != nil {
		t.Fatalf("Partitions: %v", err)
	}
	oracle := partxParts(t, img)
	samePartitions(t, "partx", got, oracle)
	if b := blkidExport(t, img); b["PTTYPE"] != "gpt" || b["PTUUID"] != "11111111-2222-3333-4444-555555555555" {
		t.Errorf("blkid says %v, want a gpt with the script's label-id", b)
	}
	// and what the script asked for, independent of partx
	const mib = 1 << 20
	want := []Partition{
		{1, 1 * mib, 4 * mib, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "EFI system", typeESP},
		{2, 5 * mib, 16 * mib, "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", "root", typeLinux},
		{4, 21 * mib, 8 * mib, "", "swäp ünd mehr", typeSwap},
	}
	if len(got) == 3 {
		want[2].PartUUID = got[2].PartUUID // random
	}
	samePartitions(t, "script", got, want)

	// PARTUUID and PARTLABEL matching as root= would use them
	info := Info{Dev: "/dev/vda2", PartUUID: got[1].PartUUID, PartLabel: got[1].PartLabel}
	if !Match("PARTUUID=0B1C2D3E-4F50-4617-8293-A4B5C6D7E8F9", info) || !Match("PARTLABEL=root", info) {
		t.Errorf("Match does not find %+v", info)
	}

	if *updateSeeds {
		writeSeed(t, "FuzzPartitions", "gpt", append([]byte{0}, sparseSeed(t, img, 64<<10, 64<<10)...))
	}

	// damage the primary header: the backup at the end of the disk must give the same table
	patchFile(t, img, 512+gptOffHeaderCRC, []byte{0xde, 0xad})
	backup, err := readParts(t, img, 512)
	if err != nil {
		t.Fatalf("Partitions with a damaged primary GPT: %v", err)
	}
	samePartitions(t, "backup GPT", backup, got)
	samePartitions(t, "partx on the damaged disk", backup, partxParts(t, img))

	// damage the backup too: no table left
	patchFile(t, img, 64<<20-512+gptOffHeaderCRC, []byte{0xde, 0xad})
	_, err = readParts(t, img, 512)
	if !errors.Is(err, ErrNoTable) {
		t.Fatalf("error %v, want ErrNoTable", err)
	}
	const wantErr = "read partition table: protective MBR but no valid GPT: primary at LBA 1: header CRC "
	if !strings.HasPrefix(err.Error(), wantErr) || !strings.Contains(err.Error(), "backup at LBA 131071: header CRC ") {
		t.Errorf("error %q, want it to start %q and name the backup", err, wantErr)
	}
}

func TestPartitionsGPT4K(t *testing.T) {
	t.Parallel()
	img := sparseFile(t, t.TempDir(), "disk.img", 64<<20)
	runIn(t, []byte("g\nn\n1\n\n+4M\nn\n2\n\n+8M\nw\n"), "fdisk", "-b", "4096", img)
	got, err := readParts(t, img, 4096)
	if err != nil {
		t.Fatalf("Partitions: %v", err)
	}
	out := string(run(t, "fdisk", "-b", "4096", "-l", "-o", "Device,Start,Sectors,Type-UUID,UUID", img))
	_, table, ok := strings.Cut(out, "\nDevice")
	if !ok {
		t.Fatalf("fdisk -l output has no table:\n%s", out)
	}
	_, rows, _ := strings.Cut(table, "\n")
	samePartitions(t, "fdisk -b 4096", got, parseListing(t, rows, 4096, 0))
	if len(got) != 2 || got[0].Start != 1<<20 || got[0].Size != 4<<20 {
		t.Errorf("got %+v, want 2 partitions, the first at 1 MiB with 4 MiB", got)
	}
	// read as 512-byte sectors there is no GPT header at LBA 1
	if _, err := readParts(t, img, 512); !errors.Is(err, ErrNoTable) {
		t.Errorf("with 512-byte sectors: error %v, want ErrNoTable", err)
	}
}

// mbrScript: slot 1 empty, a bootable Linux partition in slot 2, swap in 3, an extended
// partition in 4 with three logical partitions (5, 6, 7).
const mbrScript = `label: dos
label-id: 0x1234abcd
disk.img2 : start=2048, size=4096, type=83, bootable
disk.img3 : start=8192, size=8192, type=82
disk.img4 : start=20480, size=40000, type=5
disk.img5 : size=2048, type=83
disk.img6 : size=4096, type=c
disk.img7 : size=1024, type=83
`

func TestPartitionsMBR(t *testing.T) {
	t.Parallel()
	img := sparseFile(t, t.TempDir(), "disk.img", 64<<20)
	runIn(t, []byte(mbrScript), "sfdisk", "-q", img)
	got, err := readParts(t, img, 512)
	if err != nil {
		t.Fatalf("Partitions: %v", err)
	}
	samePartitions(t, "partx", got, partxParts(t, img))
	if b := blkidExport(t, img); b["PTTYPE"] != "dos" || b["PTUUID"] != "1234abcd" {
		t.Errorf("blkid says %v, want a dos table with id 1234abcd", b)
	}
	wantNums := []string{"1234abcd-02:0x83", "1234abcd-03:0x82", "1234abcd-04:0x5", "1234abcd-05:0x83", "1234abcd-06:0xc", "1234abcd-07:0x83"}
	var nums []string
	for _, p := range got {
		nums = append(nums, p.PartUUID+":"+p.Type)
	}
	if strings.Join(nums, " ") != strings.Join(wantNums, " ") {
		t.Errorf("partitions %v, want %v", nums, wantNums)
	}
	if *updateSeeds {
		writeSeed(t, "FuzzPartitions", "mbr", append([]byte{0}, sparseSeed(t, img, 0, 16<<20)...))
	}
}

func TestPartitionsNoTable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fat := mkfs("mkfs.vfat", 16<<20, "-F", "16", "-n", "FLOPPY")(t, dir)
	if b := blkidExport(t, fat); b["PTTYPE"] != "" {
		t.Fatalf("blkid sees a partition table on a FAT superfloppy: %v", b)
	}
	ext := sparseFile(t, dir, "ext.img", 8<<20)
	run(t, "mkfs.ext4", "-q", "-F", ext)
	empty := sparseFile(t, dir, "empty.img", 8<<20)
	runIn(t, []byte("label: dos\nlabel-id: 0x00000000\n"), "sfdisk", "-q", empty)

	tests := []struct {
		name, img string
		sector    int
		want      string // "" means an empty table, no error
	}{
		{"FAT superfloppy", fat, 512, "read partition table: MBR: sector 0 is a FAT boot sector: no partition table"},
		{"ext4 on the whole disk", ext, 512, "read partition table: no 0x55AA signature in sector 0: no partition table"},
		{"MBR without partitions", empty, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := readParts(t, tc.img, tc.sector)
			if tc.want == "" {
				if err != nil || len(parts) != 0 || parts == nil {
					t.Fatalf("Partitions = %#v, %v; want an empty table", parts, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Partitions = %+v, want error %q", parts, tc.want)
			}
			if !errors.Is(err, ErrNoTable) || err.Error() != tc.want {
				t.Errorf("error %q, want %q wrapping ErrNoTable", err, tc.want)
			}
		})
	}
}

func TestPartitionsBadInput(t *testing.T) {
	mbr := make([]byte, 1024)
	mbr[510], mbr[511] = 0x55, 0xAA
	badBoot := bytes.Clone(mbr)
	badBoot[446] = 0x12
	tests := []struct {
		name   string
		data   []byte
		size   int64
		sector int
		want   string
	}{
		{"sector size not a power of two", mbr, 1024, 1000, "read partition table: sector size 1000: want a power of two from 512 to 65536"},
		{"sector size too small", mbr, 1024, 256, "read partition table: sector size 256: want a power of two from 512 to 65536"},
		{"negative size", mbr, -5, 512, "read partition table: device size -5: must not be negative"},
		{"smaller than a sector", mbr[:100], 100, 512, "read partition table: device of 100 bytes is smaller than a sector: no partition table"},
		{"boot indicator garbage", badBoot, 1024, 512, "read partition table: MBR: boot indicator 0x12 is neither 0 nor 0x80: no partition table"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Partitions(bytes.NewReader(tc.data), tc.size, tc.sector)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := Partitions(nil, 0, 0); err == nil || err.Error() != "read partition table: no reader" {
		t.Errorf("Partitions(nil) error %v", err)
	}
}

// TestPartitionsEBRLoop: an extended boot record that links to itself must end the chain.
func TestPartitionsEBRLoop(t *testing.T) {
	const ss = 512
	d := make([]byte, 64*ss)
	entry := func(sec []byte, slot int, typ byte, start, size uint32) {
		e := sec[446+16*slot:]
		e[4] = typ
		e[8], e[9], e[10], e[11] = byte(start), byte(start>>8), byte(start>>16), byte(start>>24)
		e[12], e[13], e[14], e[15] = byte(size), byte(size>>8), byte(size>>16), byte(size>>24)
		sec[510], sec[511] = 0x55, 0xAA
	}
	entry(d[0:], 0, 0x05, 8, 50)    // extended at sector 8
	entry(d[8*ss:], 0, 0x83, 1, 4)  // logical at 9
	entry(d[8*ss:], 1, 0x05, 8, 8)  // link: extended start 8 + 8 = the EBR at 16
	entry(d[16*ss:], 0, 0x83, 1, 4) // logical at 17
	entry(d[16*ss:], 1, 0x05, 8, 8) // the same link again: a loop
	r := &checkedReader{t: t, r: bytes.NewReader(d), size: int64(len(d))}
	parts, err := Partitions(r, int64(len(d)), ss)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range parts {
		got = append(got, strconv.Itoa(p.Number)+"@"+strconv.FormatInt(p.Start/ss, 10))
	}
	if want := "1@8 5@9 6@17"; strings.Join(got, " ") != want {
		t.Errorf("partitions %v, want %s", got, want)
	}
}
