package build

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goinit/goinit/internal/archive"
	"github.com/goinit/goinit/internal/secrets"
)

func TestAddISCSISecrets(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	os.WriteFile(good, []byte("username=u\npassword=Secret-Value-123\n"), 0o600) //nolint:errcheck
	open := filepath.Join(dir, "open")
	os.WriteFile(open, []byte("username=u\npassword=Secret-Value-123\n"), 0o644) //nolint:errcheck
	os.Chmod(open, 0o644)                                                        //nolint:errcheck
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("password=Secret-Value-123\n"), 0o600) //nolint:errcheck
	tests := []struct {
		path, err, warn string
	}{
		{path: good},
		{path: open, warn: `warning: --iscsi-secrets "` + open + `" is readable by group or others (mode 0644); chmod 600 it`},
		{path: bad, err: `--iscsi-secrets "` + bad + `": parse secrets: the default section: username and password go together`},
		{path: filepath.Join(dir, "none"), err: "--iscsi-secrets: stat " + filepath.Join(dir, "none") + ": no such file or directory"},
		{path: dir, err: `--iscsi-secrets "` + dir + `": not a regular file`},
	}
	for _, tt := range tests {
		var log bytes.Buffer
		s := &settings{Config: Config{ISCSISecrets: tt.path, Log: &log}}
		b := archive.New(0)
		err := s.addISCSISecrets(b)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error %v, want %s", tt.path, err, tt.err)
			}
			if b.Has(secrets.ISCSIPath) {
				t.Errorf("%s: embedded despite the error", tt.path)
			}
			continue
		}
		if err != nil || !b.Has(secrets.ISCSIPath) {
			t.Errorf("%s: %v, embedded %v", tt.path, err, b.Has(secrets.ISCSIPath))
		}
		if got := strings.TrimSpace(log.String()); got != tt.warn {
			t.Errorf("%s: log %q, want %q", tt.path, got, tt.warn)
		}
		if strings.Contains(log.String(), "Secret-Value") {
			t.Errorf("the log shows the secret")
		}
	}
	// Without the flag nothing is added.
	b := archive.New(0)
	if err := (&settings{}).addISCSISecrets(b); err != nil || b.Len() != 0 {
		t.Errorf("no --iscsi-secrets: %v, %d records", err, b.Len())
	}
}
