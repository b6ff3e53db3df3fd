package boot

import "sync"

// devWatch broadcasts "something changed" to whoever waits for devices: each Changed channel is
// closed at the next event, and a new one is handed out after that.
type devWatch struct {
	mu sync.Mutex
	ch chan struct{}
}

func newDevWatch() *devWatch { return &devWatch{ch: make(chan struct{})} }

// Changed returns a channel closed at the next notify.
func (d *devWatch) Changed() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ch
}

func (d *devWatch) notify() {
	d.mu.Lock()
	close(d.ch)
	d.ch = make(chan struct{})
	d.mu.Unlock()
}
