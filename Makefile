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
	xvfb xauth poppler-utils curl

.PHONY: all deps tools build run test vet lint race check-server-deps bench clean

all: build

deps:
	@./scripts/apt-install.sh $(APT_PACKAGES)

tools:
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

build: deps
	$(GO) build -o bin/yiwangtong-server ./cmd/yiwangtong-server
	$(GO) build -o bin/yiwangtong .

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

# Runs the whole test suite.
test: deps tools vet lint check-server-deps race

# Benchmarks named in docs/BENCHMARKS.md.
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./...

clean:
	rm -rf bin dist
