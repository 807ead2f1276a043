//go:build !windows

package main

// attachConsole does nothing outside Windows: the terminal is already there.
func attachConsole() {}
