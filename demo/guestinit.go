package main

// The demo root's /sbin/init: a busybox shell script that shows what goinit did and then powers
// the guest off (or offers a shell with DEMO_INTERACTIVE=1, passed as demo.shell=1). Its two awk
// programs live in files of their own in the root (/usr/share/goinit-demo), so they are tested on
// the host with the same busybox (guestinit_test.go) while the script itself never runs there.

// upMarker starts the line the demo waits for on the console.
const upMarker = "diskless client is up:"

// guestAwkDir is where the awk programs live inside the root.
const guestAwkDir = "/usr/share/goinit-demo"

// guestInit is /sbin/init. It refuses to run as anything but PID 1 (it powers off at the end).
const guestInit = `#!/bin/sh
# /sbin/init of the goinit demo root (written by goinit's demo/guestinit.go).
export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root
if [ "$$" != 1 ]; then
	echo "this is the goinit demo guest's init; it runs only as PID 1" >&2
	exit 1
fi
[ -r /proc/mounts ] || mount -t proc proc /proc
[ -d /sys/class ] || mount -t sysfs sysfs /sys
echo
echo "=== the real root's /sbin/init runs (PID 1 after goinit's switch_root)"
if [ -r /run/goinit/timeline.json ]; then
	echo "=== goinit's boot timeline (/run/goinit/timeline.json):"
	awk -f ` + guestAwkDir + `/timeline.awk /run/goinit/timeline.json
else
	echo "=== no /run/goinit/timeline.json: goinit left no timeline"
fi
set -- $(awk -f ` + guestAwkDir + `/root.awk /proc/mounts)
src=${1:-unknown}
overlay=${2:-no}
ip=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')
if echo "written at boot by the demo's init" >/root/hello.txt 2>/dev/null; then
	echo "=== / is writable: /root/hello.txt is in RAM, the server's copy stays untouched"
fi
echo "` + upMarker + ` $(hostname) ${ip:-no-address} root=$src overlay=$overlay"
if grep -q 'demo[.]shell=1' /proc/cmdline; then
	echo "=== a shell on the diskless client: look around, then type 'exit' to power it off"
	setsid cttyhack /bin/sh -l
fi
echo "=== powering off"
poweroff -f
`

// timelineAwk prints /run/goinit/timeline.json (boot.Timeline.JSON: indented, one key per line)
// as a table that fits 80 columns.
const timelineAwk = `function val(line,    v) {
	v = line
	sub(/^[^:]*:[ \t]*/, "", v)
	sub(/,[ \t]*$/, "", v)
	if (v ~ /^".*"$/) {
		v = substr(v, 2, length(v) - 2)
		gsub(/\\"/, "\"", v)
		gsub(/\\u003c/, "<", v)
		gsub(/\\u003e/, ">", v)
		gsub(/\\u0026/, "\\&", v)
		gsub(/\\\\/, "\\", v)
	}
	return v
}
/^[ \t]*"kernel_uptime_at_start_s":/ { uptime = val($0) }
/^[ \t]*"total_ms":/ { total = val($0) }
/^[ \t]*"name":/ { name = val($0) }
/^[ \t]*"stage":/ { stage = val($0) }
/^[ \t]*"start_ms":/ { start = val($0) }
/^[ \t]*"duration_ms":/ { dur = val($0) }
/^[ \t]*"error":/ { err = val($0) }
/^[ \t]*},?[ \t]*$/ && name != "" {
	if (!n) printf "  %10s %10s  %-9s %s\n", "start", "took", "stage", "step"
	if (length(name) > 44) name = substr(name, 1, 41) "..."
	printf "  %7.1f ms %7.1f ms  %-9s %s\n", start, dur, stage, name
	if (err != "") printf "  %33s FAILED: %s\n", "", err
	name = ""; stage = ""; start = ""; dur = ""; err = ""
	n++
}
END {
	if (n) printf "  goinit: %d steps in %.1f ms, started %.2f s after the kernel\n", n, total, uptime
	else print "  (no steps in the timeline)"
}
`

// rootAwk reads /proc/mounts and prints the root's source and whether an overlay is stacked on
// it ("yes"/"no"); with an overlay the source is the lower layer's (goinit keeps it at
// /run/goinit/lower, or /initrd/mnt in pivot mode).
const rootAwk = `$2 == "/" { src = $1; fs = $3 }
$2 == "/run/goinit/lower" || $2 == "/initrd/mnt" { lower = $1 }
END {
	if (fs == "overlay") {
		if (lower == "") lower = src
		print lower, "yes"
	} else print src, "no"
}
`
