# Yiwangtong — build, run and test. Every target installs what it needs on a
# fresh Debian/Ubuntu machine (as root, or with sudo available).

GO          ?= go
ADDR        ?= 127.0.0.1:8080
DATA        ?= $(CURDIR)/.data
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck

# Debian packages: the C toolchain and the X11/GL headers Fyne's GLFW driver
# compiles against, Xvfb for a real window in tests, poppler for reading
# PDFs back, PostgreSQL for the scale-out store.
APT_PACKAGES = gcc libc6-dev pkg-config libgl-dev libx11-dev libxcursor-dev \
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev \
	xvfb xauth libgl1-mesa-dri poppler-utils zbar-tools curl

.PHONY: all deps tools build run test vet lint race check-server-deps tour-test screenshots bench clean

all: build

deps:
	@./scripts/apt-install.sh $(APT_PACKAGES)

tools:
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

VERSION_STRING = $(shell ./scripts/release/version.sh)
LDFLAGS = -X main.buildVersion=$(VERSION_STRING)

build: deps
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/yiwangtong-server ./cmd/yiwangtong-server
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/yiwangtong .

# Runs the product: the server on its embedded SQLite with the demo city, and
# the client connected to it.
run: build
	@./scripts/run.sh "$(ADDR)" "$(DATA)"

vet:
	$(GO) vet ./...

lint: tools
	$(STATICCHECK) ./...

race:
	$(GO) test -race -count=1 -timeout 40m ./...

check-server-deps:
	@if $(GO) list -deps ./cmd/yiwangtong-server | grep -q '^fyne.io/'; then \
		echo "cmd/yiwangtong-server depends on fyne.io: the server must build without the GUI toolkit" >&2; exit 1; fi
	@CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/yiwangtong-server
	@echo "server builds without cgo and without Fyne"

# Runs the whole test suite: the Go packages, then the release build and its
# checks (signatures, MSI tables, the Windows test binaries under wine).
# The desktop client's tour in a real window under Xvfb against a real server
# with the demo city: both roles through the full cycle, every area captured
# (the tour fails on a blank capture).
tour-test: build
	@dir=$$(mktemp -d) && ./scripts/tour.sh "$$dir" && rm -rf "$$dir"

# Regenerates docs/screenshots (shown in the README) with the tour.
screenshots: build
	@./scripts/tour.sh docs/screenshots

test: deps tools vet lint check-server-deps race tour-test release-test

# Benchmarks named in docs/BENCHMARKS.md.
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./...

clean:
	rm -rf bin dist build

# ---------------------------------------------------------------- release
# `make release` writes dist/: the signed Windows client and its per-user MSI,
# the Linux desktop .tar.xz and .deb, the server for linux/amd64, linux/arm64
# and windows/amd64 with its systemd unit and example configuration, and
# SHA256SUMS (see scripts/release/release.sh for SIGN_CERT, SIGN_KEY, …).
# `make release-test` rebuilds dist/ when a source file or the version
# changed, then checks every artifact and runs the non-GUI packages' tests
# as Windows binaries under Wine.
RELEASE_TEST_PACKAGES = wine64 desktop-file-utils msitools wixl osslsigncode gcc-mingw-w64-x86-64 dpkg-dev xz-utils
RELEASE_INPUTS = $(shell { git -c core.quotePath=false ls-files -co --exclude-standard 2>/dev/null || \
	find . \( -path ./dist -o -path ./build -o -path ./.git -o -path ./bin -o -path ./.data \) -prune -o -type f -print; } | \
	grep -v -e '^\(\./\)\?\(dist\|build\|bin\|scripts/release/releasetest\)/' -e '\.md$$' -e '[[:space:]]' | while read -r f; do [ -f "$$f" ] && echo "$$f"; done)

.PHONY: release release-test FORCE

release:
	@./scripts/release/release.sh

build/release/version.stamp: FORCE
	@mkdir -p $(@D)
	@v=$$(./scripts/release/version.sh) && [ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" > $@

dist/SHA256SUMS: $(RELEASE_INPUTS) build/release/version.stamp
	@./scripts/release/release.sh

release-test: dist/SHA256SUMS tools
	@./scripts/apt-install.sh $(RELEASE_TEST_PACKAGES)
	$(GO) vet -tags release ./scripts/release/releasetest
	$(STATICCHECK) -tags release ./scripts/release/releasetest
	$(GO) test -tags release -count=1 -timeout 60m -v ./scripts/release/releasetest
