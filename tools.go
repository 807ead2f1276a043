//go:build tools

// This file pins the desktop toolkit's modules in go.mod — the core and the
// app driver that the fyne packager's generated metadata file imports — for
// the Fyne window, which shares this package with the headless subcommands.
package main

import (
	_ "fyne.io/fyne/v2"
	_ "fyne.io/fyne/v2/app"
)
