package ui

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report/localdata"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/server/demo"
)

// testNow is the clock of the UI tests: a working Monday in the demo year,
// before the first deadlines.
var testNow = time.Date(2026, 3, 2, 9, 0, 0, 0, assess.CST)

// city is a demo city served on loopback for one test: the real server
// handler over a real SQLite store.
type city struct {
	*demo.Server
	t *testing.T
}

// newCity starts a demo city in a temporary folder.
func newCity(t *testing.T) *city {
	t.Helper()
	srv, err := demo.Start(context.Background(), filepath.Join(t.TempDir(), "server"), 2026, testNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &city{Server: srv, t: t}
}

// account returns the first demo account of role (a reporter of a 区县
// unit for assess.Reporter, the admin reviewer for assess.Reviewer).
func (c *city) account(role assess.Role) demo.Credential {
	c.t.Helper()
	for _, a := range c.Credentials {
		if a.Role == role {
			return a
		}
	}
	c.t.Fatalf("the demo city has no %s", role)
	return demo.Credential{}
}

// testDeps returns the dependencies of a window over a fresh local store
// in a temporary folder, syncing only when asked.
func testDeps(t testing.TB) (Deps, *localdb.DB) {
	t.Helper()
	db, err := localdb.Open(filepath.Join(t.TempDir(), "client"), localdb.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	deps := baseDeps()
	deps.Store = db
	return deps, db
}

// baseDeps returns the dependencies of a test window but its store.
func baseDeps() Deps {
	return Deps{
		Docs: func(st Store, now time.Time) localdata.Source {
			return localdata.Source{DB: st.(*localdb.DB), Now: now}
		},
		Connect: func(server string) (*client.API, error) {
			return client.New(server, client.Options{UserAgent: "yiwangtong-ui-test"})
		},
		Syncer: func(api *client.API, st Store, progress func(client.Progress)) *client.Syncer {
			return client.NewSyncer(api, st.(*localdb.DB), client.SyncOptions{
				Progress: progress,
				Now:      func() time.Time { return testNow },
				Backoff:  client.Backoff{Attempts: 1, Base: time.Millisecond, Max: time.Millisecond},
			})
		},
		Now:    func() time.Time { return testNow },
		Manual: true,
	}
}

// newTestShell opens a window with the headless test driver, logs the
// first demo account of role in, syncs and waits until the window is idle.
func newTestShell(t *testing.T, c *city, role assess.Role) (*Shell, *localdb.DB) {
	t.Helper()
	deps, db := testDeps(t)
	return loginShell(t, c, deps, c.account(role)), db
}

// loginShell opens a window over deps and logs acc in through the login
// screen: typing the server, username and password, tapping 登录.
func loginShell(t *testing.T, c *city, deps Deps, acc demo.Credential) *Shell {
	t.Helper()
	a := test.NewTempApp(t)
	a.Preferences().SetBool(prefStarted, true)
	s := New(a, deps)
	t.Cleanup(func() {
		s.Idle()
		s.Close()
	})
	s.win.Resize(fyne.NewSize(1366, 768))
	v := s.login
	v.server.SetText(c.URL)
	test.Type(v.username, acc.Username)
	test.Type(v.password, acc.Password)
	test.Tap(v.loginBtn)
	s.Idle()
	if v.errLabel.Visible() {
		t.Fatalf("login failed: %s", v.errLabel.Text)
	}
	if s.user.Username != acc.Username {
		t.Fatalf("logged in as %q, want %q", s.user.Username, acc.Username)
	}
	s.SyncNow()
	s.Idle()
	return s
}

func TestMain(m *testing.M) {
	os.Setenv("LANG", "zh_CN.UTF-8")
	os.Setenv("LC_ALL", "zh_CN.UTF-8")
	os.Exit(m.Run())
}
