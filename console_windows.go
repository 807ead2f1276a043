package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachConsole connects a GUI-subsystem program to the console of the
// command prompt that started it, so the headless subcommands print there.
// Started from Explorer there is no such console and nothing changes. Output
// already redirected to a file or pipe is left alone.
func attachConsole() {
	const attachParentProcess = ^uint32(0) // ATTACH_PARENT_PROCESS
	if !redirected(windows.STD_OUTPUT_HANDLE) || !redirected(windows.STD_ERROR_HANDLE) {
		attach := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")
		if ok, _, _ := attach.Call(uintptr(attachParentProcess)); ok == 0 {
			return
		}
	}
	if !redirected(windows.STD_OUTPUT_HANDLE) {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stdout = f
		}
	}
	if !redirected(windows.STD_ERROR_HANDLE) {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stderr = f
		}
	}
	if h, err := windows.GetStdHandle(windows.STD_INPUT_HANDLE); err != nil || h == 0 || h == windows.InvalidHandle {
		if f, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
			os.Stdin = f
		}
	}
}

// redirected reports whether a standard handle already points somewhere
// (a file or a pipe) that the program should keep writing to.
func redirected(which uint32) bool {
	h, err := windows.GetStdHandle(which)
	if err != nil || h == 0 || h == windows.InvalidHandle {
		return false
	}
	t, err := windows.GetFileType(h)
	return err == nil && (t == windows.FILE_TYPE_DISK || t == windows.FILE_TYPE_PIPE)
}
