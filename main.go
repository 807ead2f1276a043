// Command yiwangtong is the desktop client of 一网通, the filing and
// assessment system for rule-of-law government inspection (法治政府建设督察
// 考核). It keeps indicators, drafts and evidence in a local store, works
// offline, and syncs with the central server when it can.
//
// This release runs the headless subcommands (login, sync, tasks, draft,
// attach, submit, review, report, export, …); with no subcommand it prints
// their usage. Run "yiwangtong help" for the list.
package main

import (
	"os"

	"github.com/yiwangtong/yiwangtong/cmd/cli"
)

// buildVersion is set with -ldflags "-X main.buildVersion=0.1.0".
var buildVersion string

func main() {
	attachConsole()
	if buildVersion != "" {
		cli.Version = buildVersion
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
