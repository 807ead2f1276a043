//go:build release

// Package releasetest checks what `make release` wrote to dist/: every
// artifact is there and matches SHA256SUMS, the Windows programs and the MSI
// carry signatures that verify, the exe is a GUI program that imports only
// Windows system DLLs and carries the version and icon, the MSI's tables
// describe a per-user install with the Chinese shortcuts and the stable
// upgrade code, the .deb and .tar.xz hold the desktop entry and icon, the
// server archives hold a working systemd unit and example configuration, and
// the non-GUI packages' tests pass as Windows binaries under Wine.
//
// The files carry the "release" build tag so that `go test ./...` leaves
// them out; `make release-test` builds dist/ and runs
//
//	go test -tags release -count=1 ./scripts/release/releasetest
//
// RELEASE_DIST and RELEASE_WORK point the tests at another dist/ and work
// folder (defaults: dist and build/release at the module root).
package releasetest
