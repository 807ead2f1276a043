//go:build tools

// This file pins the desktop toolkit's module in go.mod for the Fyne
// window, which shares this package with the headless subcommands.
package main

import _ "fyne.io/fyne/v2"
