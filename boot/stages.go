package boot

// BreakAt reports whether rd.break (or INIT_DEBUG=1) asks to stop before the named stage.
// A bare rd.break stops before the switch, as in dracut.
func (p *Params) BreakAt(stage string) bool {
	for _, s := range p.Breaks {
		if s == stage || s == "" && stage == "pre-switch" {
			return true
		}
	}
	return false
}
