package union

import "testing"

func TestParseSpec(t *testing.T) {
	good := map[string]Spec{"tmpfs": {}, "tmpfs:size=512m": {Size: "512m"}, "tmpfs:size=50%": {Size: "50%"}, "tmpfs:size=1048576": {Size: "1048576"}}
	for in, want := range good {
		got, err := ParseSpec(in)
		if err != nil || got != want {
			t.Errorf("ParseSpec(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ramfs", "tmpfs:", "tmpfs:size=", "tmpfs:size=12q", "tmpfs:size=m", "tmpfs:size=5mm", "tmpfs:mode=1"} {
		_, err := ParseSpec(in)
		want := `overlay "` + in + `": expected tmpfs or tmpfs:size=<size>, e.g. rd.overlay=tmpfs:size=512m`
		if err == nil || err.Error() != want {
			t.Errorf("ParseSpec(%q) error = %v; want %s", in, err, want)
		}
	}
}

func TestOptions(t *testing.T) {
	l := Layout{Lower: "/run/goinit/lower", Tmpfs: "/run/goinit/rw", Upper: "/run/goinit/rw/upper", Work: "/run/goinit/rw/work", Target: "/newroot"}
	if got := Options(l, false); got != "lowerdir=/run/goinit/lower,upperdir=/run/goinit/rw/upper,workdir=/run/goinit/rw/work" {
		t.Errorf("Options(local) = %q", got)
	}
	if got := Options(l, true); got != "lowerdir=/run/goinit/lower,upperdir=/run/goinit/rw/upper,workdir=/run/goinit/rw/work,index=off,xino=off" {
		t.Errorf("Options(nfs) = %q", got)
	}
	if got := TmpfsOptions(Spec{Size: "64m"}); got != "mode=0755,size=64m" {
		t.Errorf("TmpfsOptions = %q", got)
	}
}
