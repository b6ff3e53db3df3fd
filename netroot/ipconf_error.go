package netroot

import "fmt"

// ParamError is a command line parameter goinit knows but cannot use. It prints in the shape
// `cmdline: ip="<value>": <reason>: expected <form>` so the console shows the parameter as
// written, what is wrong with it and the form that would work.
type ParamError struct {
	Param    string // the parameter's name, e.g. "ip"
	Value    string // the value as written
	Reason   string // what is wrong, naming the bad field; may be empty
	Expected string // the accepted form(s)
	Err      error  // an underlying cause, if any
}

func (e *ParamError) Error() string {
	s := fmt.Sprintf("cmdline: %s=%q", e.Param, e.Value)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Expected != "" {
		s += ": expected " + e.Expected
	}
	return s
}

func (e *ParamError) Unwrap() error { return e.Err }
