package boot

import (
	"testing"
	"time"
)

func TestDevWatchWakesEveryWaiter(t *testing.T) {
	d := newDevWatch()
	a, b := d.Changed(), d.Changed()
	select {
	case <-a:
		t.Fatal("closed before any event")
	default:
	}
	d.notify()
	for _, ch := range []<-chan struct{}{a, b} {
		select {
		case <-ch:
		case <-time.After(time.Second):
			t.Fatal("waiter not woken")
		}
	}
	select {
	case <-d.Changed():
		t.Fatal("the next channel is already closed")
	default:
	}
}
