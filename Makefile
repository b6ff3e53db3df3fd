# goinit — see README.md
GO      ?= go
export PATH := $(PATH):/usr/local/go/bin
OUT     := out
GOFLAGS := -trimpath
LDFLAGS := -s -w -buildid=
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: all build goinit mkinitramfs canary test unit e2e deps fmt vet clean

all: build

build: goinit mkinitramfs

goinit:
	CGO_ENABLED=0 $(GO) build $(GOFLAGS) -ldflags '$(LDFLAGS) -X main.version=$(VERSION)' -o $(OUT)/goinit ./cmd/goinit

mkinitramfs:
	CGO_ENABLED=0 $(GO) build $(GOFLAGS) -ldflags '$(LDFLAGS) -X main.version=$(VERSION)' -o $(OUT)/mkinitramfs ./cmd/mkinitramfs

# The static canary /sbin/init used by the end-to-end tests' root images.
canary:
	CGO_ENABLED=0 $(GO) build $(GOFLAGS) -ldflags '$(LDFLAGS)' -o $(OUT)/canary ./tests/canary

# Installs the Debian packages the tests need (only the missing ones).
deps:
	bash tests/deps.sh

vet:
	$(GO) vet ./...
	$(GO) vet -tags e2e ./tests/...

unit:
	$(GO) test -count=1 ./...

e2e: build canary
	$(GO) test -count=1 -tags e2e -timeout 10m ./modalias/
	$(GO) test -count=1 -tags e2e -timeout 40m -v ./tests/e2e/

test: deps vet unit e2e

clean:
	rm -rf $(OUT)
