# goinit — see README.md
GO      ?= go
# bash, for pipefail: the e2e runs pipe go test -json through out/e2ereport.
SHELL   := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
OUT     := out
GOFLAGS := -trimpath
LDFLAGS := -s -w -buildid=
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: all build goinit mkinitramfs canary e2ereport test unit fuzz faults e2e deps fmt vet clean demo

all: build

build: goinit mkinitramfs

# goinit is built for size: no inlining (-l) except in the runtime and the zstd decoder that
# unpacks modules at boot; it saves about 170 KB of the compressed image (bench/README.md).
GOINIT_GCFLAGS := -gcflags='all=-l' -gcflags='runtime=' -gcflags='github.com/klauspost/compress/...='

goinit:
	CGO_ENABLED=0 $(GO) build $(GOFLAGS) $(GOINIT_GCFLAGS) -ldflags '$(LDFLAGS) -X main.version=$(VERSION)' -o $(OUT)/goinit ./cmd/goinit

mkinitramfs:
	CGO_ENABLED=0 $(GO) build $(GOFLAGS) -ldflags '$(LDFLAGS) -X main.version=$(VERSION)' -o $(OUT)/mkinitramfs ./cmd/mkinitramfs

# The static canary /sbin/init used by the end-to-end tests' root images.
canary:
	CGO_ENABLED=0 $(GO) build $(GOFLAGS) -ldflags '$(LDFLAGS)' -o $(OUT)/canary ./tests/canary

# Prints go test -json as go test -v does, then the output of every failed test in one block
# (parallel tests interleave; a failed subtest's error is otherwise far from its FAIL line).
e2ereport:
	CGO_ENABLED=0 $(GO) build $(GOFLAGS) -o $(OUT)/e2ereport ./tests/e2ereport

# A newcomer's first look (root): a diskless QEMU client boots from NFS, then from AoE, with the
# servers in a private network namespace; everything is removed at the end, also after Ctrl-C.
# DEMO_INTERACTIVE=1 offers a shell on the client. See demo/main.go.
demo: deps build
	CGO_ENABLED=0 $(GO) build $(GOFLAGS) -o $(OUT)/demo ./demo
	$(OUT)/demo

# Installs the Debian packages the tests need (only the missing ones).
deps:
	bash tests/deps.sh

vet:
	$(GO) vet ./...
	$(GO) vet -tags e2e ./tests/...

unit:
	$(GO) test -count=1 ./...

e2e: build canary e2ereport
	$(GO) test -count=1 -tags e2e -timeout 10m ./modalias/
	set -o pipefail; $(GO) test -count=1 -tags e2e -timeout 40m -json ./tests/e2e/ | $(OUT)/e2ereport

# Every fuzz target for a short, bounded time (FUZZTIME, default 3s each).
fuzz:
	bash tests/fuzz.sh

# Fault tests too slow or not yet reliable for make test (NFS, NBD and AoE at 20% loss).
faults: build canary e2ereport
	set -o pipefail; $(GO) test -count=1 -tags 'e2e faults' -run 'TestLossyNFS|TestLossyNBD|TestLossyAoE20|TestNFSv4OwnerNamesReadLoop' -timeout 30m -json ./tests/e2e/ | $(OUT)/e2ereport

test: deps vet unit fuzz e2e

# Speed and size against dracut and initramfs-tools (issue 8); writes bench/results.md.
.PHONY: bench
bench: build canary
	$(GO) test -count=1 -tags 'e2e bench' -run '^TestBench' -timeout 90m -v ./tests/e2e/

clean:
	rm -rf $(OUT)
