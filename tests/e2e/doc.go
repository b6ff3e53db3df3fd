// Package e2e holds the end-to-end tests: QEMU (TCG) boots of the installed Debian kernel with
// images built by out/mkinitramfs, root filesystems whose /sbin/init is the canary
// (tests/canary), and later real servers in private network namespaces.
//
// The tests and their harness build only with the e2e tag: `make e2e`, or
//
//	go test -count=1 -tags e2e -timeout 40m -v ./tests/e2e/
//
// after `make deps build canary`. A failed test leaves its full console log in
// tests/e2e/logs/<TestName>.log. make e2e runs them with -json through tests/e2ereport, which
// prints the usual -v text and ends with every failed test's own output in one block.
package e2e
