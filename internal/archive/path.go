package archive

import (
	"errors"
	"fmt"
	"strings"
)

// CleanName turns a path as callers write it ("/lib/modules/x", "bin/sh") into the form stored
// in the archive: relative, no "." or empty components. It refuses ".." components, NUL bytes
// and the root itself, which the builder writes on its own.
func CleanName(name string) (string, error) {
	if name == "" {
		return "", errors.New("empty path")
	}
	if strings.IndexByte(name, 0) >= 0 {
		return "", fmt.Errorf("path %q contains a NUL byte", name)
	}
	var parts []string
	for _, p := range strings.Split(name, "/") {
		switch p {
		case "", ".":
			continue
		case "..":
			return "", fmt.Errorf("path %q has a \"..\" component", name)
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("path %q is the archive root", name)
	}
	return strings.Join(parts, "/"), nil
}

// parentOf returns the directory part of a cleaned name, "" for a top-level name.
func parentOf(name string) string {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return ""
	}
	return name[:i]
}
