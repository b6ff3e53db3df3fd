package docs

import (
	"os"
	"strings"
	"testing"

	"github.com/goinit/goinit/boot"
)

func TestEveryParameterIsDocumented(t *testing.T) {
	b, err := os.ReadFile("cmdline.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, p := range boot.KnownParams() {
		if !strings.Contains(doc, "`"+p+"=") && !strings.Contains(doc, "`"+p+"`") {
			t.Errorf("docs/cmdline.md does not document the parameter %s (write it as `%s=…` or `%s`)", p, p, p)
		}
	}
}
