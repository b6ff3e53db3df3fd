package netroot

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/goinit/goinit/internal/hint"
	"github.com/goinit/goinit/internal/secrets"
)

const (
	iscsiLoginTimeout = 15 * time.Second
	iscsiDiskTimeout  = 20 * time.Second
	iscsiRecoveryTmo  = 120
	iscsiModuleTCP    = "iscsi_tcp"
	iscsiModuleDisk   = "sd_mod"
	iscsiModuleCRC32C = "crc32c"
)

// NewISCSI returns the Attacher for an iSCSI root: it loads iscsi_tcp and sd_mod, connects to
// the portal (retrying until ctx ends), discovers the target when none is named, logs in
// (CHAP when credentials are given on the command line or in the embedded secrets file), hands
// the connection to the kernel, scans the LUN and waits for its disk.
func NewISCSI(r ISCSIRoot, env Env) Attacher {
	d := &net.Dialer{}
	return &iscsiAttacher{
		root: r, env: env, dial: d.DialContext, kernel: iscsiKernelStart,
		secretsPath: secrets.ISCSIPath, backoffMin: nbdBackoffMin, backoffMax: nbdBackoffMax,
	}
}

type iscsiAttacher struct {
	root ISCSIRoot
	env  Env
	// Seams for tests.
	dial        func(ctx context.Context, network, addr string) (net.Conn, error)
	kernel      func(sysRoot string, r iscsiKernelRequest) (iscsiKernelSession, error)
	secretsPath string

	backoffMin, backoffMax time.Duration
	session                iscsiKernelSession
}

func (a *iscsiAttacher) String() string { return a.root.String() }

func (a *iscsiAttacher) Attach(ctx context.Context) (Mount, error) {
	m, err := a.attach(ctx)
	if err != nil {
		if len(hint.All(err)) > 0 && strings.HasPrefix(err.Error(), "attach ") {
			return Mount{}, err
		}
		return Mount{}, fmt.Errorf("attach %s: %w", a, err)
	}
	return m, nil
}

func (a *iscsiAttacher) attach(ctx context.Context) (Mount, error) {
	for _, mod := range []string{iscsiModuleCRC32C, iscsiModuleTCP, iscsiModuleDisk} {
		if a.env.LoadModule == nil {
			break
		}
		if err := a.env.LoadModule(ctx, mod); err != nil {
			if mod == iscsiModuleCRC32C {
				a.env.logf("iscsi: load %s: %v (iscsi_tcp may fail to create the connection)", mod, err)
				continue
			}
			return Mount{}, fmt.Errorf("load the %s module: %w", mod, err)
		}
	}
	r := a.root
	lease := a.env.primaryLease()
	if r.Server == "" {
		if lease == nil || !lease.RootServer().IsValid() {
			return Mount{}, fmt.Errorf("no portal: the root names no server and DHCP gave no next-server or server identifier (write iscsi:<server>::::<target> or rd.iscsi.target.ip=)")
		}
		r.Server = lease.RootServer().String()
		a.root.Server = r.Server
	}
	if r.Initiator == "" {
		mac := ""
		if lease != nil {
			mac = lease.MAC
		}
		r.Initiator = DefaultISCSIInitiator(mac)
	}
	file, err := secrets.Load(a.secretsPath)
	if err != nil {
		return Mount{}, err
	}
	auth := func(target string) ISCSICredentials {
		c := r.Auth
		if c.Username == "" && c.Password == "" {
			s := file.ForTarget(target)
			c.Username, c.Password = s.Username, s.Password
		}
		if c.InUsername == "" && c.InPassword == "" {
			s := file.ForTarget(target)
			c.InUsername, c.InPassword = s.InUsername, s.InPassword
		}
		return c
	}
	isid := iscsiISID(r.Initiator)
	if r.Target == "" {
		targets, err := a.discover(ctx, r, isid, auth(""))
		if err != nil {
			return Mount{}, err
		}
		if len(targets) == 0 {
			return Mount{}, fmt.Errorf("discovery at %s offered no target (is this initiator, %s, allowed to see any?)", r.Addr(), r.Initiator)
		}
		r.Target = targets[0].Name
		a.root.Target = r.Target
		a.env.logf("iscsi: discovery at %s offered %s; using %q", r.Addr(), discoveredNames(targets), r.Target)
	}
	conn, err := a.dialRetry(ctx, r.Addr())
	if err != nil {
		return Mount{}, err
	}
	defer conn.Close()                                  // the kernel keeps its own reference after the bind
	conn.SetDeadline(time.Now().Add(iscsiLoginTimeout)) //nolint:errcheck
	cfg := iscsiLoginConfig{Initiator: r.Initiator, Target: r.Target, Auth: auth(r.Target), ISID: isid}
	if !cfg.Auth.Empty() {
		a.env.logf("iscsi: logging in to %q as %s with CHAP user %q%s", r.Target, r.Initiator, cfg.Auth.Username, map[bool]string{true: " (mutual)", false: ""}[cfg.Auth.InUsername != ""])
	} else {
		a.env.logf("iscsi: logging in to %q as %s without authentication", r.Target, r.Initiator)
	}
	li, err := iscsiLogin(conn, cfg)
	if err != nil {
		var le *iscsiLoginError
		if errors.As(err, &le) && le.Class == 2 && le.Detail == 3 {
			if ts, derr := a.discover(ctx, r, isid, auth("")); derr == nil {
				return Mount{}, hint.Wrap(fmt.Errorf("attach %s: %w", a, err), fmt.Sprintf("the portal %s offers: %s", r.Addr(), discoveredNames(ts)))
			}
		}
		return Mount{}, err
	}
	conn.SetDeadline(time.Time{}) //nolint:errcheck
	host, _, _ := net.SplitHostPort(conn.RemoteAddr().String())
	if host == "" {
		host = r.Server
	}
	req := iscsiKernelRequest{
		InitialCmdSN: li.CmdSN, Target: r.Target, Initiator: r.Initiator, Address: host, Port: r.Port,
		TPGT: li.TPGT, ExpStatSN: li.ExpStatSN, Params: li.Params, RecoveryTmo: iscsiRecoveryTmo,
	}
	s, err := a.handOff(conn, req)
	if err != nil {
		return Mount{}, err
	}
	a.session = s
	a.env.logf("iscsi: session to %q is up on scsi host%d", r.Target, s.HostNo)
	dev, err := a.scanAndWait(ctx, s.HostNo, r.LUN)
	if err != nil {
		return Mount{}, err
	}
	if r.Block != nil {
		m, err := NewBlock(*r.Block, a.env).Attach(ctx)
		if err != nil {
			return Mount{}, err
		}
		return a.finish(m), nil
	}
	return a.finish(Mount{Source: "/dev/" + dev}), nil
}

// finish applies rootfstype=, rootflags= and ro/rw to m.
func (a *iscsiAttacher) finish(m Mount) Mount {
	if a.root.FSType != "" {
		m.FSType = a.root.FSType
	}
	m.Data = a.root.Options
	if a.root.ReadOnly {
		m.Flags |= nbdMSRdonly
	}
	return m
}

// discover runs a SendTargets discovery session.
func (a *iscsiAttacher) discover(ctx context.Context, r ISCSIRoot, isid [6]byte, auth ISCSICredentials) ([]iscsiDiscovered, error) {
	conn, err := a.dialRetry(ctx, r.Addr())
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(iscsiLoginTimeout)) //nolint:errcheck
	isid[5]++                                           // a session of its own
	li, err := iscsiLogin(conn, iscsiLoginConfig{Initiator: r.Initiator, Discovery: true, Auth: auth, ISID: isid})
	if err != nil {
		return nil, fmt.Errorf("discovery at %s: %w", r.Addr(), err)
	}
	return iscsiSendTargets(conn, li)
}

// dialRetry connects to the portal, retrying with back-off until ctx ends.
func (a *iscsiAttacher) dialRetry(ctx context.Context, addr string) (net.Conn, error) {
	conn, err := dialBackoff(ctx, a.dial, addr, a.backoffMin, a.backoffMax, func(attempt int, err error) {
		if attempt == 1 {
			a.env.logf("iscsi: portal %s: %v; retrying%s", addr, err, deadlineNote(ctx))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("portal %s unreachable: %w", addr, err)
	}
	return conn, nil
}

// handOff gives the logged-in socket to the kernel.
func (a *iscsiAttacher) handOff(conn net.Conn, req iscsiKernelRequest) (iscsiKernelSession, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return iscsiKernelSession{}, fmt.Errorf("iscsi session: connection %T has no file descriptor", conn)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return iscsiKernelSession{}, fmt.Errorf("iscsi session: %w", err)
	}
	var s iscsiKernelSession
	var kerr error
	if err := raw.Control(func(fd uintptr) {
		if fd > math.MaxInt32 {
			kerr = fmt.Errorf("iscsi session: fd %d out of range", fd)
			return
		}
		req.FD = int(fd)
		s, kerr = a.kernel(a.env.SysRoot, req)
	}); err != nil {
		return s, fmt.Errorf("iscsi session: %w", err)
	}
	return s, kerr
}

// scanAndWait asks the SCSI midlayer to scan the session's host for lun (all LUNs for
// ISCSIAnyLUN) and waits for the disk's block device: the LUN's first partition when it has
// a partition table, else the whole disk.
func (a *iscsiAttacher) scanAndWait(ctx context.Context, host uint32, lun int64) (string, error) {
	scan := a.env.sys(fmt.Sprintf("class/scsi_host/host%d/scan", host))
	what := "- - -"
	if lun != ISCSIAnyLUN {
		what = fmt.Sprintf("0 0 %d", lun)
	}
	if err := os.WriteFile(scan, []byte(what), 0); err != nil {
		return "", fmt.Errorf("scan scsi host%d (%q > %s): %w", host, what, scan, err)
	}
	wait := iscsiDiskTimeout
	if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
		wait = max(time.Until(d), 0)
	}
	deadline := time.Now().Add(wait)
	for {
		units := a.scsiUnits(host)
		for _, u := range units {
			if lun != ISCSIAnyLUN && u.lun != lun {
				continue
			}
			if u.disk != "" && a.readable(u.disk) {
				if p := a.firstPartition(u.disk); p != "" {
					return p, nil
				}
				return u.disk, nil
			}
		}
		if !time.Now().Before(deadline) || ctx.Err() != nil {
			return "", a.noLUN(host, lun, units, wait)
		}
		a.env.waitChange(ctx, 100*time.Millisecond)
	}
}

type scsiUnit struct {
	lun  int64
	typ  string // SCSI peripheral type, e.g. "0" (disk), "12" (RAID controller)
	disk string // sdX, when sd bound it
}

// scsiUnits lists the logical units the kernel found on host (H:C:T:L in /sys/bus/scsi/devices).
func (a *iscsiAttacher) scsiUnits(host uint32) []scsiUnit {
	ents, _ := os.ReadDir(a.env.sys("bus/scsi/devices"))
	prefix := strconv.FormatUint(uint64(host), 10) + ":"
	var out []scsiUnit
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		f := strings.Split(e.Name(), ":")
		if len(f) != 4 {
			continue
		}
		l, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			continue
		}
		u := scsiUnit{lun: l}
		dir := a.env.sys("bus/scsi/devices/" + e.Name())
		if b, err := os.ReadFile(filepath.Join(dir, "type")); err == nil {
			u.typ = strings.TrimSpace(string(b))
		}
		if bs, _ := os.ReadDir(filepath.Join(dir, "block")); len(bs) > 0 {
			u.disk = bs[0].Name()
		}
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].lun < out[j].lun })
	return out
}

// readable reports whether the first sector of /dev/<name> can be read: the node exists and
// the disk finished registering (an open before that fails with ENXIO).
func (a *iscsiAttacher) readable(name string) bool {
	f, err := os.Open(a.env.dev(name))
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 512)
	_, err = f.ReadAt(buf, 0)
	return err == nil
}

// firstPartition returns the disk's lowest-numbered partition whose device node exists.
func (a *iscsiAttacher) firstPartition(disk string) string {
	ents, _ := os.ReadDir(a.env.sys("class/block/" + disk))
	best, bestN := "", 0
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), disk) {
			continue
		}
		b, err := os.ReadFile(a.env.sys("class/block/" + disk + "/" + e.Name() + "/partition"))
		if err != nil {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || (best != "" && n >= bestN) {
			continue
		}
		if a.readable(e.Name()) {
			best, bestN = e.Name(), n
		}
	}
	return best
}

// noLUN explains a LUN that did not show up, listing what the target did present.
func (a *iscsiAttacher) noLUN(host uint32, lun int64, units []scsiUnit, waited time.Duration) error {
	var seen []string
	for _, u := range units {
		s := fmt.Sprintf("LUN %d (SCSI type %s", u.lun, u.typ)
		if u.disk != "" {
			s += ", /dev/" + u.disk
		}
		seen = append(seen, s+")")
	}
	list := "none"
	if len(seen) > 0 {
		list = strings.Join(seen, ", ")
	}
	want := "no disk LUN"
	if lun != ISCSIAnyLUN {
		want = fmt.Sprintf("LUN %d not present", lun)
	}
	return fmt.Errorf("target %q: %s on scsi host%d within %s; the target presents: %s", a.root.Target, want, host, waited.Round(100*time.Millisecond), list)
}

// iscsiISID makes the session's initiator session ID: type "random" (0x80) with bytes from
// the initiator name, so that the same machine reuses it (and the target can replace a stale
// session of a previous boot).
func iscsiISID(initiator string) [6]byte {
	h := sha256.Sum256([]byte(initiator))
	return [6]byte{0x80, h[0], h[1], h[2], h[3], 0}
}
