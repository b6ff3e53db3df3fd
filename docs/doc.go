// Package docs holds the project's documentation. Its test checks that docs/cmdline.md
// documents every command-line parameter goinit's parser reads.
package docs
