// Command yiwangtong is the desktop client of 一网通, the filing and
// assessment system for rule-of-law government inspection (法治政府建设督察
// 考核). It keeps indicators, drafts and evidence in a local store, works
// offline, and syncs with the central server when it can.
//
// With no subcommand it opens the window; with one (login, sync, tasks,
// draft, attach, submit, review, report, export, …) it runs headless. Run
// "yiwangtong help" for the list.
package main

import (
	"os"
	"strings"

	"github.com/yiwangtong/yiwangtong/cmd/cli"
)

// buildVersion is set with -ldflags "-X main.buildVersion=0.1.0".
var buildVersion string

func main() {
	attachConsole()
	if buildVersion != "" {
		cli.Version = buildVersion
	}
	if desktopArgs(os.Args[1:]) {
		os.Exit(runDesktop(os.Args[1:], os.Stderr))
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}

// desktopArgs reports whether args ask for the window: no subcommand, only
// the window's own flags.
func desktopArgs(args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return false
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch name {
		case "data", "ca", "server", "tour":
			if !hasValue {
				i++
			}
		default:
			return false
		}
	}
	return true
}
