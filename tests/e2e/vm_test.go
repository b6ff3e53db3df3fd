//go:build e2e

package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// maxQEMU is how many guests run at once (the test machines have 2 cores).
const maxQEMU = 2

var qemuSlots = make(chan struct{}, maxQEMU)

// Disk is a drive of the guest.
type Disk struct {
	Path     string
	Bus      string // "virtio" (default: /dev/vda…) or "ahci" (/dev/sda…)
	Format   string // default "raw"
	ReadOnly bool
}

// VMConfig describes one guest.
type VMConfig struct {
	Initrd   string   // required
	Kernel   string   // default: the installed kernel (Env.Kernel)
	Append   string   // kernel parameters after "console=ttyS0"
	Disks    []Disk   // in order: the first virtio disk is vda, the first ahci disk sda
	QEMUArgs []string // more QEMU arguments as they are (NICs: -netdev …, -device …)
	MemoryMB int      // default 512
	NetNS    string   // run QEMU inside this network namespace (ip netns exec)
	// PXE boots from the firmware (-boot n, the NIC's iPXE ROM) instead of -kernel/-initrd:
	// Initrd, Kernel and Append are unused.
	PXE bool
}

// qemuArgs builds QEMU's command line. The serial console is QEMU's stdin and stdout (no
// multiplexer, no monitor), so the harness reads it and can type into it.
func qemuArgs(cfg VMConfig, kernel string) ([]string, error) {
	if cfg.Initrd == "" && !cfg.PXE {
		return nil, errors.New("qemu args: VMConfig.Initrd is empty")
	}
	if cfg.Kernel != "" {
		kernel = cfg.Kernel
	}
	mem := cfg.MemoryMB
	if mem == 0 {
		mem = 512
	}
	args := []string{
		"-accel", "tcg", "-m", strconv.Itoa(mem), "-smp", "1", "-nodefaults",
		"-display", "none", "-monitor", "none", "-no-reboot",
		"-chardev", "stdio,id=con0,signal=off", "-serial", "chardev:con0",
	}
	if cfg.PXE {
		args = append(args, "-boot", "n")
	} else {
		args = append(args, "-kernel", kernel, "-initrd", cfg.Initrd,
			"-append", strings.TrimSpace("console=ttyS0 "+cfg.Append))
	}
	ahci := 0
	for i, d := range cfg.Disks {
		format := d.Format
		if format == "" {
			format = "raw"
		}
		drive := "file=" + strings.ReplaceAll(d.Path, ",", ",,") + ",format=" + format
		if d.ReadOnly {
			drive += ",readonly=on"
		}
		switch d.Bus {
		case "", "virtio":
			args = append(args, "-drive", drive+",if=virtio")
		case "ahci":
			if ahci == 0 {
				args = append(args, "-device", "ahci,id=ahci")
			}
			if ahci == 6 {
				return nil, fmt.Errorf("qemu args: disk %d %s: an AHCI controller has 6 ports", i, d.Path)
			}
			id := fmt.Sprintf("d%d", i)
			args = append(args, "-drive", drive+",if=none,id="+id,
				"-device", fmt.Sprintf("ide-hd,drive=%s,bus=ahci.%d", id, ahci))
			ahci++
		default:
			return nil, fmt.Errorf("qemu args: disk %d %s: bus %q, want virtio or ahci", i, d.Path, d.Bus)
		}
	}
	return append(args, cfg.QEMUArgs...), nil
}

// VM is a running guest: its console, its process, and the test that owns it.
type VM struct {
	t       testing.TB
	cmd     *exec.Cmd
	stdin   *os.File
	con     *consoleLog
	stderr  lockedBuffer
	logPath string
	argv    []string

	cursor int // WaitFor searches console lines from here on

	exited   chan struct{} // closed when QEMU has exited
	exitErr  error
	readDone chan struct{} // closed when the console reached EOF
}

// Boot starts QEMU (waiting for one of maxQEMU slots) and returns at once. QEMU is killed by its
// PID when the test ends; a failed test's console log (every test's with E2E_KEEP_LOGS=1) is kept in
// tests/e2e/logs/<TestName>.log.
func Boot(t testing.TB, cfg VMConfig) *VM {
	t.Helper()
	e := env(t)
	for _, d := range cfg.Disks {
		if _, err := os.Stat(d.Path); err != nil {
			t.Fatalf("boot: disk image: %v", err)
		}
	}
	args, err := qemuArgs(cfg, e.Kernel)
	if err != nil {
		t.Fatalf("boot: %v", err)
	}
	argv := append([]string{e.QEMU}, args...)
	if cfg.NetNS != "" {
		argv = append([]string{Tool(t, "ip", "iproute2"), "netns", "exec", cfg.NetNS}, argv...)
	}
	dir := t.TempDir()
	logFile, err := os.Create(filepath.Join(dir, "console.log"))
	if err != nil {
		t.Fatalf("boot: %v", err)
	}
	fmt.Fprintf(logFile, "# %s\n", shellQuote(argv))

	waitStart := time.Now()
	qemuSlots <- struct{}{}
	if w := time.Since(waitStart); w > time.Second {
		t.Logf("boot: waited %s for a QEMU slot", w.Round(100*time.Millisecond))
	}
	var opened []*os.File
	fail := func(err error) {
		t.Helper()
		<-qemuSlots
		for _, f := range append(opened, logFile) {
			f.Close()
		}
		t.Fatalf("boot: %v", err)
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		fail(err)
	}
	opened = append(opened, inR, inW)
	outR, outW, err := os.Pipe()
	if err != nil {
		fail(err)
	}
	opened = append(opened, outR, outW)
	vm := &VM{
		t: t, stdin: inW, con: newConsoleLog(logFile), logPath: logFile.Name(), argv: argv,
		exited: make(chan struct{}), readDone: make(chan struct{}),
	}
	vm.cmd = exec.Command(argv[0], argv[1:]...)
	vm.cmd.Stdin, vm.cmd.Stdout, vm.cmd.Stderr = inR, outW, &vm.stderr
	// Its own process group, and SIGKILL should the test binary die first.
	vm.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	vm.con.start = time.Now()
	if err := vm.cmd.Start(); err != nil {
		fail(fmt.Errorf("start %s: %w", argv[0], err))
	}
	inR.Close()
	outW.Close()
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := outR.Read(buf)
			if n > 0 {
				vm.con.feed(buf[:n])
			}
			if err != nil {
				break
			}
		}
		outR.Close()
		vm.con.finish()
		close(vm.readDone)
	}()
	go func() {
		vm.exitErr = vm.cmd.Wait()
		<-qemuSlots
		close(vm.exited)
	}()
	t.Cleanup(vm.cleanup)
	t.Logf("boot: QEMU pid %d: %s", vm.cmd.Process.Pid, cfg.Append)
	return vm
}

// cleanup kills QEMU by its PID, finishes the log, and keeps it when the test failed.
func (vm *VM) cleanup() {
	select {
	case <-vm.exited:
	default:
		vm.cmd.Process.Kill() //nolint:errcheck // it may have exited just now
		select {
		case <-vm.exited:
		case <-time.After(10 * time.Second):
			vm.t.Errorf("QEMU pid %d did not exit 10 s after SIGKILL", vm.cmd.Process.Pid)
		}
	}
	select {
	case <-vm.readDone:
	case <-time.After(5 * time.Second):
	}
	vm.stdin.Close()
	f := vm.con.file
	fmt.Fprintf(f, "# QEMU exit: %v after %.3fs\n", vm.exitErr, time.Since(vm.con.start).Seconds())
	if s := vm.stderr.String(); s != "" {
		fmt.Fprintf(f, "# QEMU stderr:\n%s", s)
	}
	f.Close()
	if vm.t.Failed() || os.Getenv("E2E_KEEP_LOGS") != "" {
		vm.keepLog()
	}
}

// keepLog copies the console log to tests/e2e/logs/<TestName>.log.
func (vm *VM) keepLog() {
	e := env(vm.t)
	dir := filepath.Join(e.Repo, "tests", "e2e", "logs")
	name := strings.NewReplacer("/", "_", " ", "_").Replace(vm.t.Name()) + ".log"
	dst := filepath.Join(dir, name)
	data, err := os.ReadFile(vm.logPath)
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err == nil {
		err = os.WriteFile(dst, data, 0o644)
	}
	if err != nil {
		vm.t.Logf("keep console log %s: %v", dst, err)
		return
	}
	vm.t.Logf("console log kept in %s", dst)
}

// Since is the time since QEMU started.
func (vm *VM) Since() time.Duration { return time.Since(vm.con.start) }

// Find waits until a complete console line from the cursor on matches pattern, moves the cursor
// past it and returns it. It fails when the deadline passes or QEMU exits first.
func (vm *VM) Find(pattern string, timeout time.Duration) (string, error) {
	return vm.find(pattern, timeout, false, false)
}

// FindUser is Find over the lines a program wrote (goinit, the canary), skipping the kernel's
// printk lines ("[    1.234567] …"), which echo the command line and name devices by themselves.
func (vm *VM) FindUser(pattern string, timeout time.Duration) (string, error) {
	return vm.find(pattern, timeout, false, true)
}

// FindPrompt is Find that also matches the unterminated last line, e.g. a shell prompt that
// waits for input. Only use it for text that is printed with one write.
func (vm *VM) FindPrompt(pattern string, timeout time.Duration) (string, error) {
	return vm.find(pattern, timeout, true, false)
}

// printkLine matches a line of the kernel's own log on the console (CONFIG_PRINTK_TIME).
var printkLine = regexp.MustCompile("^" + printkRecord)

func (vm *VM) find(pattern string, timeout time.Duration, prompt, userOnly bool) (string, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return "", fmt.Errorf("wait for console pattern %q: %w", pattern, err)
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		lines, partial, done, notify := vm.con.snapshot()
		for i := vm.cursor; i < len(lines); i++ {
			if userOnly && printkLine.MatchString(lines[i].Text) {
				continue
			}
			if re.MatchString(lines[i].Text) {
				vm.cursor = i + 1
				return lines[i].Text, nil
			}
		}
		if prompt && vm.cursor <= len(lines) && partial != "" && re.MatchString(partial) {
			vm.cursor = len(lines) + 1 // the partial line, once complete, is not matched again
			return partial, nil
		}
		if done {
			select {
			case <-vm.exited:
			case <-time.After(10 * time.Second):
			}
			return "", fmt.Errorf("QEMU exited (%v) %.1fs after start before a console line matched %q; last console lines:\n%s%s",
				exitText(vm.exitErr), vm.Since().Seconds(), pattern, vm.con.tail(60), vm.stderrText())
		}
		select {
		case <-notify:
		case <-timer.C:
			return "", fmt.Errorf("no console line matched %q within %s (%.1fs after QEMU start); last console lines:\n%s%s",
				pattern, timeout, vm.Since().Seconds(), vm.con.tail(60), vm.stderrText())
		}
	}
}

// WaitFor is Find that fails the test.
func (vm *VM) WaitFor(pattern string, timeout time.Duration) string {
	vm.t.Helper()
	line, err := vm.Find(pattern, timeout)
	if err != nil {
		vm.t.Fatal(err)
	}
	return line
}

// WaitForUser is FindUser that fails the test.
func (vm *VM) WaitForUser(pattern string, timeout time.Duration) string {
	vm.t.Helper()
	line, err := vm.FindUser(pattern, timeout)
	if err != nil {
		vm.t.Fatal(err)
	}
	return line
}

// WaitPrompt is FindPrompt that fails the test.
func (vm *VM) WaitPrompt(pattern string, timeout time.Duration) string {
	vm.t.Helper()
	line, err := vm.FindPrompt(pattern, timeout)
	if err != nil {
		vm.t.Fatal(err)
	}
	return line
}

// Seen returns every console line so far (from the start, ignoring the cursor) matching pattern.
func (vm *VM) Seen(pattern string) []string {
	vm.t.Helper()
	re, err := regexp.Compile(pattern)
	if err != nil {
		vm.t.Fatalf("console pattern %q: %v", pattern, err)
	}
	lines, _, _, _ := vm.con.snapshot()
	var out []string
	for _, l := range lines {
		if re.MatchString(l.Text) {
			out = append(out, l.Text)
		}
	}
	return out
}

// Exit waits until QEMU exits (with -no-reboot both a reboot and a power-off end it) and its
// console is read to the end. It returns QEMU's time since start.
func (vm *VM) Exit(timeout time.Duration) (time.Duration, error) {
	select {
	case <-vm.exited:
	case <-time.After(timeout):
		return 0, fmt.Errorf("QEMU still running %s later (%.1fs after start); last console lines:\n%s",
			timeout, vm.Since().Seconds(), vm.con.tail(60))
	}
	select {
	case <-vm.readDone:
	case <-time.After(5 * time.Second):
	}
	return vm.Since(), nil
}

// WaitExit is Exit that fails the test.
func (vm *VM) WaitExit(timeout time.Duration) time.Duration {
	vm.t.Helper()
	d, err := vm.Exit(timeout)
	if err != nil {
		vm.t.Fatal(err)
	}
	return d
}

// Send types s into the serial console (add "\n" to end a line).
func (vm *VM) Send(s string) {
	vm.t.Helper()
	if _, err := io.WriteString(vm.stdin, s); err != nil {
		vm.t.Fatalf("send %q to the console: %v", s, err)
	}
}

func (vm *VM) stderrText() string {
	if s := strings.TrimSpace(vm.stderr.String()); s != "" {
		return "QEMU stderr:\n" + s + "\n"
	}
	return ""
}

func exitText(err error) string {
	if err == nil {
		return "status 0"
	}
	return err.Error()
}

// lockedBuffer is QEMU's stderr.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// shellQuote formats argv for the log header so it can be pasted into a shell.
func shellQuote(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~") {
			q[i] = a
			continue
		}
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
