package hint

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

func TestAllCollectsHintsThroughWrapping(t *testing.T) {
	base := errors.New("connection refused")
	inner := Wrap(base, "is the server running?")
	outer := Wrap(fmt.Errorf("attach nbd 10.99.0.1:10809: %w", inner), "root=nbd:10.99.0.1:root")
	if outer.Error() != "attach nbd 10.99.0.1:10809: connection refused" {
		t.Fatalf("Error() = %q", outer.Error())
	}
	if !errors.Is(outer, base) {
		t.Fatal("errors.Is lost the cause")
	}
	want := []string{"root=nbd:10.99.0.1:root", "is the server running?"}
	if got := All(outer); !reflect.DeepEqual(got, want) {
		t.Fatalf("All = %q, want %q", got, want)
	}
	if Wrap(nil, "x") != nil {
		t.Fatal("Wrap(nil) is not nil")
	}
	if got := All(errors.Join(Wrap(base, "a"), Wrap(base, "b"))); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("All(joined) = %q", got)
	}
}
