# netfix — build, test and package.
#
#   make build   host binary in build/netfix
#   make cross   stripped static binaries for the router architectures
#   make test    everything CI runs (installs its own apt/npm/Go deps; run as root)
#   make demo    the S1 outage and its repair, in a flowtable VM
#
# Version stamped into the binary and the packages.
VERSION ?= 0.1.0
GO ?= go
PKG := github.com/netfix/netfix
LDFLAGS := -s -w -X $(PKG)/src/internal/version.Version=$(VERSION)
GOBUILD := CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)"
BUILD := build

# OpenWrt arch name -> Go target. mipsel_24kc has no FPU: softfloat.
CROSS := mipsel_24kc:mipsle:softfloat aarch64_generic:arm64: x86_64:amd64:

.PHONY: all build cross test unit integration lint clean deps

all: build

build:
	$(GOBUILD) -o $(BUILD)/netfix ./src/cmd/netfix

cross:
	@set -e; for t in $(CROSS); do \
		arch=$${t%%:*}; rest=$${t#*:}; goarch=$${rest%%:*}; gomips=$${rest#*:}; \
		echo "build $(BUILD)/$$arch/netfix (GOARCH=$$goarch GOMIPS=$$gomips)"; \
		GOOS=linux GOARCH=$$goarch GOMIPS=$$gomips $(GOBUILD) -o $(BUILD)/$$arch/netfix ./src/cmd/netfix; \
	done
	@ls -l $(BUILD)/*/netfix

deps:
	bash scripts/deps.sh

lint:
	@out=$$(gofmt -l src); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

unit:
	$(GO) test -count=1 ./...

# Integration tests need root; they build and remove their own namespaces.
integration: build
	$(GO) test -count=1 -p 1 -tags integration ./...

test: deps lint integration

clean:
	rm -rf $(BUILD)
