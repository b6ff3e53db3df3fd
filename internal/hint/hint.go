// Package hint attaches advice for the person at the console to an error, from the layer that
// knows which parameter the user wrote. The failure path prints every hint in the chain.
package hint

import "errors"

type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }

// Wrap returns err carrying hint; a nil err stays nil.
func Wrap(err error, hint string) error {
	if err == nil || hint == "" {
		return err
	}
	return &hinted{err: err, hint: hint}
}

// All returns the hints in err's chain, outermost first.
func All(err error) []string {
	var out []string
	for err != nil {
		if h, ok := err.(*hinted); ok {
			out = append(out, h.hint)
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				out = append(out, All(e)...)
			}
			return out
		}
		err = errors.Unwrap(err)
	}
	return out
}
