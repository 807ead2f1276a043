package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2/app"

	"github.com/yiwangtong/yiwangtong/cmd/cli"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report/localdata"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/server/demo"
	"github.com/yiwangtong/yiwangtong/ui"
)

// appID is the desktop client's application ID (as in FyneApp.toml); Fyne
// keeps the preferences under it.
const appID = "cn.gov.yiwangtong"

// runDesktop opens the local store and runs the window until it closes.
func runDesktop(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("yiwangtong", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "本地数据文件夹 (local data folder)")
	ca := fs.String("ca", "", "额外信任的 CA 证书文件（PEM）(extra CA certificates to trust)")
	if err := fs.Parse(args); err != nil {
		return cli.ExitUsage
	}
	dir := *data
	if dir == "" {
		d, err := localdb.DefaultDir()
		if err != nil {
			fmt.Fprintln(stderr, err)
			return cli.ExitError
		}
		dir = d
	}
	db, err := localdb.Open(dir, localdb.Options{})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return cli.ExitError
	}
	defer db.Close()
	caFile := *ca
	if caFile == "" {
		if p := filepath.Join(dir, "server-ca.pem"); fileExists(p) {
			caFile = p
		}
	}
	deps := ui.Deps{
		Store: db,
		Docs: func(st ui.Store, now time.Time) localdata.Source {
			return localdata.Source{DB: st.(*localdb.DB), Now: now}
		},
		Connect: func(server string) (*client.API, error) {
			return client.New(server, client.Options{CAFile: caFile, UserAgent: "yiwangtong/" + cli.Version})
		},
		Syncer: func(api *client.API, st ui.Store, progress func(client.Progress)) *client.Syncer {
			return client.NewSyncer(api, st.(*localdb.DB), client.SyncOptions{Progress: progress})
		},
		Demo:    func(ctx context.Context) (*ui.DemoCity, error) { return startDemo(ctx, filepath.Join(dir, "demo")) },
		Version: cli.Version,
	}
	a := app.NewWithID(appID)
	ui.New(a, deps).ShowAndRun()
	return cli.ExitOK
}

// startDemo starts the demo city's server and opens the demo's own local
// store, both under dir, so the demo never mixes with real data.
func startDemo(ctx context.Context, dir string) (*ui.DemoCity, error) {
	now := time.Now()
	srv, err := demo.Start(ctx, filepath.Join(dir, "server"), now.Year(), now, nil)
	if err != nil {
		return nil, err
	}
	db, err := localdb.Open(filepath.Join(dir, "client"), localdb.Options{})
	if err != nil {
		srv.Close()
		return nil, err
	}
	city := &ui.DemoCity{URL: srv.URL, Store: db, Close: func() error {
		err := srv.Close()
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		return err
	}}
	for _, c := range srv.Credentials {
		city.Accounts = append(city.Accounts, ui.DemoAccount{Username: c.Username, Password: c.Password, Role: c.Role, UnitID: c.UnitID})
	}
	return city, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
