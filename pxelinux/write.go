package pxelinux

import (
	"fmt"
	"strings"
)

// Write renders c as PXELINUX configuration text, always the same for the same Config: SERIAL
// first (PXELINUX wants it before anything else), the global Extra lines, DEFAULT, PROMPT,
// TIMEOUT, the global APPEND and IPAPPEND, then each label with KERNEL (or its Kind), INITRD,
// APPEND, IPAPPEND and its Extra lines. Parse(Write(c)) gives c back for any c that Parse
// returned.
func Write(c *Config) []byte {
	var b strings.Builder
	if s := c.Serial; s != nil {
		fmt.Fprintf(&b, "SERIAL %d", s.Port)
		if s.Baud != 0 || s.Flow != "" {
			fmt.Fprintf(&b, " %d", s.Baud)
		}
		if s.Flow != "" {
			b.WriteString(" " + s.Flow)
		}
		b.WriteString("\n")
	}
	for _, e := range c.Extra {
		b.WriteString(e + "\n")
	}
	if c.Default != "" {
		b.WriteString("DEFAULT " + c.Default + "\n")
	}
	if c.Prompt {
		b.WriteString("PROMPT 1\n")
	}
	if c.Timeout != 0 {
		fmt.Fprintf(&b, "TIMEOUT %d\n", c.Timeout)
	}
	if c.Append != "" {
		b.WriteString("APPEND " + c.Append + "\n")
	}
	if c.IPAppend != 0 {
		fmt.Fprintf(&b, "IPAPPEND %d\n", c.IPAppend)
	}
	for _, l := range c.Labels {
		b.WriteString("\nLABEL " + l.Name + "\n")
		if l.Kernel != "" || l.Kind != "" {
			kind := l.Kind
			if kind == "" {
				kind = "kernel"
			}
			b.WriteString("  " + strings.ToUpper(kind) + " " + l.Kernel + "\n")
		}
		if l.Initrd != "" {
			b.WriteString("  INITRD " + l.Initrd + "\n")
		}
		if l.Append != "" {
			b.WriteString("  APPEND " + l.Append + "\n")
		}
		if l.IPAppend != 0 {
			fmt.Fprintf(&b, "  IPAPPEND %d\n", l.IPAppend)
		}
		for _, e := range l.Extra {
			b.WriteString("  " + e + "\n")
		}
	}
	return []byte(b.String())
}
