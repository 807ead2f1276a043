package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
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
	server := fs.String("server", "", "登录界面预填的服务器地址 (the server address the login form offers)")
	tourOut := fs.String("tour", "", "演示巡览：以环境变量 YW_TOUR_SERVER、YW_TOUR_REPORTER、YW_TOUR_REVIEWER（用户名:密码）登录，走完整流程并把每个功能区截图存入该文件夹 (tour: run the full cycle and save screenshots here)")
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
		Server:  *server,
	}
	a := app.NewWithID(appID)
	if *tourOut != "" {
		return runTour(a, deps, *tourOut, stderr)
	}
	ui.New(a, deps).ShowAndRun()
	return cli.ExitOK
}

// runTour runs the window at 1366×768 and drives it through the tour,
// then quits; the exit code says whether every step and screenshot worked.
func runTour(a fyne.App, deps ui.Deps, out string, stderr io.Writer) int {
	cfg := ui.TourConfig{Server: os.Getenv("YW_TOUR_SERVER"), Out: out}
	var ok1, ok2 bool
	cfg.Reporter.Username, cfg.Reporter.Password, ok1 = strings.Cut(os.Getenv("YW_TOUR_REPORTER"), ":")
	cfg.Reviewer.Username, cfg.Reviewer.Password, ok2 = strings.Cut(os.Getenv("YW_TOUR_REVIEWER"), ":")
	if cfg.Server == "" || !ok1 || !ok2 {
		fmt.Fprintln(stderr, "巡览需要环境变量 YW_TOUR_SERVER、YW_TOUR_REPORTER、YW_TOUR_REVIEWER（用户名:密码）(the tour needs the server and two accounts)")
		return cli.ExitUsage
	}
	// The window draws at the display's refresh rate; a few frames let
	// it paint what a step changed before it is captured.
	cfg.Frame = func() { time.Sleep(400 * time.Millisecond) }
	cfg.Log = func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	deps.Manual = true
	deps.Demo = nil
	a.Preferences().SetBool("started", true)
	a.Preferences().SetString("language", ui.LangChinese)
	s := ui.New(a, deps)
	s.Window().Resize(fyne.NewSize(1366, 768))
	result := make(chan int, 1)
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			code := cli.ExitOK
			if err := s.Tour(cfg); err != nil {
				fmt.Fprintln(stderr, err)
				code = cli.ExitError
			}
			result <- code
			fyne.Do(a.Quit)
		}()
	})
	s.ShowAndRun()
	select {
	case code := <-result:
		return code
	default:
		fmt.Fprintln(stderr, "巡览未完成，窗口已关闭 (the window closed before the tour ended)")
		return cli.ExitError
	}
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
