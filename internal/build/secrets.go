package build

import (
	"fmt"
	"os"

	"github.com/goinit/goinit/internal/archive"
	"github.com/goinit/goinit/internal/secrets"
)

// addISCSISecrets checks the credentials file at path and embeds it at secrets.ISCSIPath,
// mode 0600 and owned by root. It never prints a value from the file. A file that others can
// read on the build host gets a warning: the secret is already exposed there.
func (s *settings) addISCSISecrets(b *archive.Builder) error {
	path := s.ISCSISecrets
	if path == "" {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("--iscsi-secrets: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("--iscsi-secrets %q: not a regular file", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--iscsi-secrets: %w", err)
	}
	if _, err := secrets.Parse(data); err != nil {
		return fmt.Errorf("--iscsi-secrets %q: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		s.warn("--iscsi-secrets %q is readable by group or others (mode %04o); chmod 600 it", path, fi.Mode().Perm())
	}
	if err := b.AddDir("/etc/goinit/secrets", 0o700); err != nil {
		return fmt.Errorf("embed iscsi secrets: %w", err)
	}
	if err := b.AddFile(secrets.ISCSIPath, data, 0o600); err != nil {
		return fmt.Errorf("embed iscsi secrets: %w", err)
	}
	return nil
}
