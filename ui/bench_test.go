package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// benchPassword is the password of the benchmark city's reviewer.
const benchPassword = "Review#2026"

// cityStore writes a city-scale year into a new local store in dir: 150
// units in two ranking groups, 120 indicators in 8 categories, 18,000
// tasks in every state, a submission and a review for the scored ones, and
// the session and offline verifier of an admin reviewer.
func cityStore(tb testing.TB, dir string) {
	tb.Helper()
	ctx := context.Background()
	db, err := localdb.Open(dir, localdb.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	year := assess.Year{ID: "2026", Name: "2026年", State: assess.YearPublished, Weights: assess.DefaultWeights, RectifyDays: 15, WarnDays: 5}
	var es []wire.Entry
	add := func(entity, id, unit string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		es = append(es, wire.Entry{Seq: int64(len(es) + 1), Entity: entity, ID: id, UnitID: unit, Data: b})
	}
	add(wire.EntityYear, year.ID, "", year)
	for g, name := range []string{"区县", "市直部门"} {
		add(wire.EntityGroup, fmt.Sprintf("g%d", g), "", assess.Group{ID: fmt.Sprintf("g%d", g), Name: name})
	}
	add(wire.EntityGroup, "office", "", assess.Group{ID: "office", Name: "考核机关（不参与排名）"})
	add(wire.EntityUnit, "office", "", assess.Unit{ID: "office", Name: "市委依法治市办", GroupID: "office"})
	var units []assess.Unit
	for u := range 150 {
		unit := assess.Unit{ID: fmt.Sprintf("u%03d", u), Name: fmt.Sprintf("第%03d单位", u), GroupID: fmt.Sprintf("g%d", u%2)}
		units = append(units, unit)
		add(wire.EntityUnit, unit.ID, "", unit)
	}
	deadline := time.Date(2026, 3, 6, 17, 0, 0, 0, assess.CST)
	statuses := []assess.Status{assess.NotStarted, assess.Draft, assess.Submitted, assess.Returned, assess.Scored}
	for i := range 120 {
		code := fmt.Sprintf("%d.%d", i/15+1, i%15+1)
		in := assess.Indicator{ID: "2026/" + code, YearID: "2026", Code: code, Title: fmt.Sprintf("法治政府建设指标%03d", i),
			Content: "指标内容说明", Standard: "达标标准", Evidence: []string{"文件", "会议纪要", "台账"}, MaxScore: 2, Deadline: deadline}
		for _, u := range units {
			in.Units = append(in.Units, u.ID)
		}
		add(wire.EntityIndicator, in.ID, "", in)
		for n, u := range units {
			st := statuses[(i+n)%len(statuses)]
			t := assess.Task{ID: assess.TaskID(in.ID, u.ID), YearID: "2026", IndicatorID: in.ID, UnitID: u.ID, Status: st, UpdatedAt: testNow}
			if st != assess.NotStarted && st != assess.Draft {
				t.Version = 1
			}
			if st == assess.Scored {
				t.Score, t.Scored, t.ReviewVersion = 1.5, true, 1
			}
			add(wire.EntityTask, t.ID, u.ID, t)
		}
	}
	for i := 0; i < len(es); i += 2000 {
		page := wire.ChangesResponse{Entries: es[i:min(i+2000, len(es))], Next: es[min(i+2000, len(es))-1].Seq}
		if err := db.ApplyPage(ctx, page); err != nil {
			tb.Fatal(err)
		}
	}
	u := assess.User{ID: "u-shenhe1", Username: "shenhe1", Name: "审核员", Role: assess.Reviewer, UnitID: "office", Admin: true}
	if err := db.SaveSession(ctx, localdb.Session{Server: "http://127.0.0.1:9", Token: "t", User: u, ExpiresAt: testNow.Add(24 * time.Hour)}); err != nil {
		tb.Fatal(err)
	}
	ver, err := localdb.NewVerifier(benchPassword)
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.SaveVerifier(ctx, u.Username, ver); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkColdStart measures, with a city-scale year in the local store,
// the window's cold start: open the store, show the login screen, unlock
// offline (argon2id included), build the reviewer's home with every unit's
// progress and draw the first frame. The raw operation beside it opens the
// store and reads the year's 18,000 tasks, with no window at all.
func BenchmarkColdStart(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "client")
	cityStore(b, dir)
	b.Run("window", func(b *testing.B) {
		for b.Loop() {
			db, err := localdb.Open(dir, localdb.Options{Now: func() time.Time { return testNow }})
			if err != nil {
				b.Fatal(err)
			}
			deps := baseDeps()
			deps.Store = db
			a := test.NewApp()
			a.Preferences().SetBool(prefStarted, true)
			s := New(a, deps)
			s.win.Resize(fyne.NewSize(1366, 768))
			s.unlockOffline("shenhe1", benchPassword, func(err error) {
				if err != nil {
					b.Error(err)
				}
			})
			s.Idle()
			if s.Current() != "home" {
				b.Fatalf("shown %q", s.Current())
			}
			_ = s.win.Canvas().Capture()
			b.StopTimer()
			s.Close()
			a.Quit()
			db.Close()
			b.StartTimer()
		}
	})
	b.Run("raw-store", func(b *testing.B) {
		for b.Loop() {
			db, err := localdb.Open(dir, localdb.Options{Now: func() time.Time { return testNow }})
			if err != nil {
				b.Fatal(err)
			}
			ts, err := db.Tasks(context.Background(), localdb.TaskFilter{YearID: "2026"})
			if err != nil || len(ts) != 18000 {
				b.Fatalf("%d tasks, %v", len(ts), err)
			}
			db.Close()
		}
	})
}
