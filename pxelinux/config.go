package pxelinux

// Config is one PXELINUX configuration file. The zero value is an empty file.
type Config struct {
	Default string // DEFAULT: a label name, optionally followed by extra kernel parameters
	Timeout int    // TIMEOUT in tenths of a second; 0: none (wait for the user when Prompt)
	Prompt  bool   // PROMPT 1: show the boot: prompt
	Serial  *Serial

	// Append and IPAppend are the global APPEND and IPAPPEND, used by labels without their own.
	Append   string
	IPAppend int

	// Extra holds the global lines this package does not model (CONSOLE, SAY, UI, MENU …,
	// INCLUDE, …), trimmed, in file order. Write puts them after SERIAL.
	Extra []string

	Labels []Label
}

// Serial is the SERIAL directive: the port number (0 is COM1, ttyS0) or an I/O port address,
// the baud rate and the optional flow-control word, as written.
type Serial struct {
	Port int
	Baud int    // 0: PXELINUX's default, 9600
	Flow string // optional third field, e.g. "0x003"; empty when absent
}

// Label is one LABEL block.
type Label struct {
	Name string
	// Kind is the directive that names the file to boot, in lower case: "" for KERNEL (the
	// type follows from the file name), or "linux", "com32", "boot", "bss", "pxe", "fdimage",
	// "comboot", "config", "localboot".
	Kind   string
	Kernel string // the file (or LOCALBOOT's argument)
	// Initrd is the INITRD directive or the initrd= of APPEND (which wins, as in PXELINUX);
	// Append never holds initrd=.
	Initrd string
	// Append is the kernel command line of APPEND; "-" is APPEND - (none, not even the global
	// one); "" means no APPEND line: the global Append applies.
	Append   string
	IPAppend int // IPAPPEND/SYSAPPEND flags: 1 ip=…, 2 BOOTIF=…; 0: the global IPAppend
	// Extra holds the lines of the block this package does not model (MENU LABEL, TEXT HELP,
	// …), trimmed, in file order.
	Extra []string
}

// Label returns the label called name (LABEL names are case-sensitive), or nil.
func (c *Config) Label(name string) *Label {
	for i := range c.Labels {
		if c.Labels[i].Name == name {
			return &c.Labels[i]
		}
	}
	return nil
}

// CommandLine is the kernel command line PXELINUX passes for l in c, before IPAPPEND's
// additions: the label's APPEND (or the global one), with initrd=<Initrd> at the end when the
// label has an initrd.
func (c *Config) CommandLine(l *Label) string {
	a := l.Append
	switch a {
	case "":
		a = c.Append
	case "-":
		a = ""
	}
	if a == "-" { // APPEND - given globally
		a = ""
	}
	if l.Initrd != "" {
		if a != "" {
			a += " "
		}
		a += "initrd=" + l.Initrd
	}
	return a
}

// EffectiveIPAppend is the IPAPPEND flags for l: its own, else the global ones.
func (c *Config) EffectiveIPAppend(l *Label) int {
	if l.IPAppend != 0 {
		return l.IPAppend
	}
	return c.IPAppend
}
