package demo_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/server/demo"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

var loadNow = time.Date(2026, 3, 2, 9, 30, 0, 0, assess.CST)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(tempDir(t), "server.db"), sqlite.Options{Now: func() time.Time { return loadNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// quickHash stands in for argon2id, which would make the test slow; Load
// must store exactly what it returns.
func quickHash(pw string) (string, error) {
	sum := sha256.Sum256([]byte(pw))
	return "test$" + hex.EncodeToString(sum[:]), nil
}

// feed pulls u's whole change feed in small pages.
func feed(t *testing.T, s server.Store, u assess.User) map[string][]wire.Entry {
	t.Helper()
	out := map[string][]wire.Entry{}
	after := int64(0)
	for {
		resp, err := s.Changes(context.Background(), u, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range resp.Entries {
			out[e.Entity] = append(out[e.Entity], e)
		}
		if resp.Next < after {
			t.Fatalf("cursor went back from %d to %d", after, resp.Next)
		}
		after = resp.Next
		if !resp.More {
			return out
		}
	}
}

func TestLoadIntoSQLite(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	d := demo.City(2026, loadNow)
	creds, err := demo.Load(ctx, s, d, loadNow, quickHash)
	if err != nil {
		t.Fatal(err)
	}

	if len(creds) != len(d.Users) {
		t.Fatalf("%d credentials for %d users", len(creds), len(d.Users))
	}
	passwords := map[string]bool{}
	for i, c := range creds {
		u := d.Users[i]
		if c.Username != u.Username || c.Role != u.Role || c.UnitID != u.UnitID || assess.ValidatePassword(c.Password) != nil || passwords[c.Password] {
			t.Errorf("credential %+v for user %+v", c, u)
		}
		passwords[c.Password] = true
		got, hash, err := s.UserByUsername(ctx, c.Username)
		if err != nil {
			t.Fatalf("user %s: %v", c.Username, err)
		}
		if want, _ := quickHash(c.Password); hash != want || got.ID != u.ID || got.Admin != u.Admin {
			t.Errorf("stored user %s: %+v, hash %q", c.Username, got, hash)
		}
	}

	admin, _, err := s.UserByUsername(ctx, "shenhe1")
	if err != nil {
		t.Fatal(err)
	}
	entries := feed(t, s, admin)

	if n := len(entries[wire.EntityIndicator]); n != len(d.Indicators) {
		t.Errorf("%d indicators in the feed, want %d", n, len(d.Indicators))
	}
	if n := len(entries[wire.EntityUnit]); n != len(d.Units) {
		t.Errorf("%d units in the feed, want %d", n, len(d.Units))
	}
	milestones := 0
	for _, e := range entries[wire.EntityIndicator] {
		var in assess.Indicator
		if err := json.Unmarshal(e.Data, &in); err != nil {
			t.Fatal(err)
		}
		milestones += len(in.Milestones)
	}
	if milestones != 8 {
		t.Errorf("%d milestones on the stored indicators, want 8", milestones)
	}
	years := entries[wire.EntityYear]
	if len(years) != 1 {
		t.Fatalf("%d years in the feed", len(years))
	}
	var y assess.Year
	if err := json.Unmarshal(years[0].Data, &y); err != nil || y.State != assess.YearPublished || y.ID != "2026" {
		t.Errorf("year %+v: %v", y, err)
	}

	// One task, not started, for every leaf and every unit assigned to it.
	want := map[string]assess.Indicator{}
	perUnit := map[string]int{}
	for _, in := range assess.Leaves(d.Indicators) {
		for _, u := range in.Units {
			want[assess.TaskID(in.ID, u)] = in
			perUnit[u]++
		}
	}
	tasks := entries[wire.EntityTask]
	if len(tasks) != len(want) {
		t.Errorf("%d tasks in the feed, want %d", len(tasks), len(want))
	}
	for _, e := range tasks {
		var task assess.Task
		if err := json.Unmarshal(e.Data, &task); err != nil {
			t.Fatal(err)
		}
		in, ok := want[task.ID]
		if !ok || task.IndicatorID != in.ID || task.YearID != "2026" || task.Status != assess.NotStarted || e.UnitID != task.UnitID {
			t.Errorf("unexpected task %+v (entry unit %q)", task, e.UnitID)
		}
		delete(want, task.ID)
	}
	if len(want) != 0 {
		t.Errorf("%d tasks missing", len(want))
	}

	// A reporter sees its own unit's tasks only.
	reporter, _, err := s.UserByUsername(ctx, "dongchengqu")
	if err != nil {
		t.Fatal(err)
	}
	own := feed(t, s, reporter)[wire.EntityTask]
	if len(own) != perUnit["dongcheng"] || len(own) == 0 {
		t.Errorf("dongchengqu sees %d tasks, want %d", len(own), perUnit["dongcheng"])
	}
	for _, e := range own {
		if e.UnitID != "dongcheng" {
			t.Errorf("dongchengqu sees a task of %s", e.UnitID)
		}
	}

	// The leads: six, about two units, none taken into account, so every
	// standing is still 0; each unit's reporter sees its own.
	leads := entries[wire.EntityLead]
	perLeadUnit := map[string]int{}
	sources := map[assess.LeadSource]bool{}
	for _, e := range leads {
		var l assess.Lead
		if err := json.Unmarshal(e.Data, &l); err != nil {
			t.Fatal(err)
		}
		if l.YearID != "2026" || l.Considered || l.Deduction != 0 || e.UnitID != l.UnitID || l.ImportedBy != admin.ID || l.Date.After(loadNow) {
			t.Errorf("demo lead %+v (entry unit %q)", l, e.UnitID)
		}
		perLeadUnit[l.UnitID]++
		sources[l.Source] = true
	}
	if len(leads) != 6 || len(perLeadUnit) != 2 || perLeadUnit["dongcheng"] != 3 || len(sources) != len(assess.LeadSources) {
		t.Errorf("%d leads for units %v from %d sources, want 6 for two units from every source", len(leads), perLeadUnit, len(sources))
	}
	if n := len(feed(t, s, reporter)[wire.EntityLead]); n != perLeadUnit["dongcheng"] {
		t.Errorf("dongchengqu sees %d leads, want %d", n, perLeadUnit["dongcheng"])
	}
	for _, e := range entries[wire.EntityStanding] {
		var st assess.Standing
		if err := json.Unmarshal(e.Data, &st); err != nil || st.Total != 0 || st.System != 0 {
			t.Errorf("standing %+v, %v: want 0 in a demo nobody has scored", st, err)
		}
	}

	report, err := s.VerifyAudit(ctx)
	if err != nil || !report.OK {
		t.Errorf("audit chain after the demo: %+v, %v", report, err)
	}
}

func TestLoadFailsOnRejectedChange(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	d := demo.City(2026, loadNow)
	for i := range d.Indicators {
		if d.Indicators[i].Code == "4.3" {
			d.Indicators[i].Units = append(d.Indicators[i].Units, "nowhere")
		}
	}
	_, err := demo.Load(ctx, s, d, loadNow, quickHash)
	if err == nil || !strings.Contains(err.Error(), "4.3") || assess.ErrorCode(err) != assess.EInvalid {
		t.Errorf("Load with an unknown unit: %v", err)
	}
}

func TestLoadNeedsAnAdmin(t *testing.T) {
	s := openStore(t)
	d := demo.City(2026, loadNow)
	for i := range d.Users {
		d.Users[i].Admin = false
	}
	if _, err := demo.Load(context.Background(), s, d, loadNow, quickHash); err == nil {
		t.Error("Load without an admin reviewer succeeded")
	}
	if _, err := demo.Load(context.Background(), s, demo.City(2026, loadNow), loadNow, nil); err == nil {
		t.Error("Load without a hash function succeeded")
	}
}

func TestLoadWithArgon2id(t *testing.T) {
	if testing.Short() {
		t.Skip("argon2id hashing")
	}
	ctx := context.Background()
	s := openStore(t)
	d := demo.City(2026, loadNow)
	d.Users = []assess.User{d.Users[0], d.Users[2]} // the admin and one reporter
	creds, err := demo.Load(ctx, s, d, loadNow, server.HashPassword)
	if err != nil {
		t.Fatal(err)
	}
	_, hash, err := s.UserByUsername(ctx, creds[1].Username)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := server.CheckPassword(hash, creds[1].Password); !ok || err != nil {
		t.Errorf("the printed password does not log in: %v %v", ok, err)
	}
}
