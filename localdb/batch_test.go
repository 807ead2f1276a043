package localdb

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// TestSaveIndicators checks that a batch of indicators is queued whole, in
// order, or — when any one of them is refused — not at all.
func TestSaveIndicators(t *testing.T) {
	ctx := context.Background()
	good := []assess.Indicator{
		{YearID: "2026", Code: "3", Title: "推进行政决策科学化、民主化、法治化", MaxScore: 10},
		{YearID: "2026", Code: "3.1", ParentID: "2026/3", Title: "重大行政决策程序", MaxScore: 6, Units: []string{"u1"}},
		{ID: ind2.ID, YearID: "2026", Code: "2.1", Title: "完善依法行政制度体系（修订）", MaxScore: 12},
	}
	bad := func(i int, in assess.Indicator) []assess.Indicator {
		b := append([]assess.Indicator(nil), good...)
		return append(b[:i], append([]assess.Indicator{in}, b[i:]...)...)
	}
	for _, tt := range []struct {
		name  string
		user  assess.User
		batch []assess.Indicator
		code  string
		msg   string // a part of the message
	}{
		{"no title in the middle", reviewer, bad(1, assess.Indicator{YearID: "2026", Code: "3.2", MaxScore: 2}), assess.EInvalid, "第 2 项（指标 3.2）"},
		{"negative score last", reviewer, bad(3, assess.Indicator{YearID: "2026", Code: "3.3", Title: "行政规范性文件", MaxScore: -1}), assess.EInvalid, "第 4 项"},
		{"unknown year in the middle", reviewer, bad(2, assess.Indicator{YearID: "2030", Code: "1", Title: "依法行政", MaxScore: 1}), assess.ENotFound, "2030"},
		{"listed twice", reviewer, bad(3, good[0]), assess.EInvalid, "出现了两次（第 1 项和第 4 项）"},
		{"same ID under another code", reviewer, bad(1, assess.Indicator{ID: ind2.ID, YearID: "2026", Code: "2.9", Title: "x", MaxScore: 1}), assess.EInvalid, "出现了两次"},
		{"not an administrator", reporter1, good, assess.EForbidden, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := seeded(t)
			login(t, db, tt.user)
			err := db.SaveIndicators(ctx, tt.batch)
			wantCode(t, err, tt.code)
			if msg := assess.ErrorMessage(err); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q lacks %q", msg, tt.msg)
			}
			if rows := outboxRows(t, db); len(rows) != 0 {
				t.Fatalf("a refused batch left %d outbox rows, the first %s %s", len(rows), rows[0].kind, rows[0].ref)
			}
			ins, err := db.Indicators(ctx, "2026")
			if err != nil {
				t.Fatal(err)
			}
			if len(ins) != 3 {
				t.Errorf("the year shows %d indicators after a refused batch, want the 3 it had", len(ins))
			}
		})
	}

	t.Run("accepted", func(t *testing.T) {
		db := seeded(t)
		login(t, db, reviewer)
		if err := db.SaveIndicators(ctx, nil); err != nil {
			t.Fatalf("empty batch: %v", err)
		}
		if err := db.SaveIndicators(ctx, good); err != nil {
			t.Fatal(err)
		}
		rows := outboxRows(t, db)
		var refs []string
		ids := map[string]bool{}
		for _, r := range rows {
			if r.kind != wire.KindIndicatorSave || r.state != StatePending || r.userID != reviewer.ID {
				t.Errorf("outbox row %+v", r)
			}
			refs = append(refs, r.ref)
			ids[r.id] = true
			var in assess.Indicator
			if err := json.Unmarshal([]byte(r.data), &in); err != nil || in.ID != r.ref {
				t.Errorf("row %s carries %+v, %v", r.ref, in, err)
			}
		}
		if got := strings.Join(refs, " "); got != "2026/3 2026/3.1 "+ind2.ID || len(ids) != 3 {
			t.Fatalf("queued %q with %d IDs, want the batch in order with an ID each", got, len(ids))
		}
		ins, err := db.Indicators(ctx, "2026")
		if err != nil {
			t.Fatal(err)
		}
		titles := map[string]string{}
		for _, in := range ins {
			titles[in.ID] = in.Title
		}
		if len(ins) != 5 || titles["2026/3.1"] != "重大行政决策程序" || titles[ind2.ID] != "完善依法行政制度体系（修订）" {
			t.Errorf("the year shows %v", titles)
		}
	})
}

// TestSaveExternals checks that a batch of external scores is queued whole
// or not at all.
func TestSaveExternals(t *testing.T) {
	ctx := context.Background()
	score := func(unit string, src assess.Source, s, max float64) assess.ExternalScore {
		return assess.ExternalScore{YearID: "2026", UnitID: unit, Source: src, Score: s, Max: max}
	}
	good := []assess.ExternalScore{
		score("u1", assess.Survey, 88, 100), score("u1", assess.Onsite, 18, 20), score("u2", assess.Survey, 91.5, 100),
	}
	with := func(i int, e assess.ExternalScore) []assess.ExternalScore {
		b := append([]assess.ExternalScore(nil), good...)
		return append(b[:i], append([]assess.ExternalScore{e}, b[i:]...)...)
	}
	for _, tt := range []struct {
		name  string
		user  assess.User
		batch []assess.ExternalScore
		code  string
		msg   string
	}{
		{"score above the maximum in the middle", reviewer, with(1, score("u2", assess.Onsite, 25, 20)), assess.EInvalid, "第 2 项（u2 现场督察）"},
		{"unknown source in the middle", reviewer, with(2, score("u2", "tv", 1, 10)), assess.EInvalid, "第 3 项"},
		{"no unit", reviewer, with(3, score("", assess.ThirdParty, 1, 10)), assess.EInvalid, "第 4 项"},
		{"bad document hash", reviewer, with(1, assess.ExternalScore{YearID: "2026", UnitID: "u2", Source: assess.ThirdParty, Score: 1, Max: 10, Document: "abc"}), assess.EInvalid, "摘要不正确"},
		{"listed twice", reviewer, with(2, score("u1", assess.Survey, 70, 100)), assess.EInvalid, "出现了两次（第 1 项和第 3 项）"},
		{"a reporting user", reporter1, good, assess.EForbidden, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := seeded(t)
			login(t, db, tt.user)
			err := db.SaveExternals(ctx, tt.batch)
			wantCode(t, err, tt.code)
			if msg := assess.ErrorMessage(err); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q lacks %q", msg, tt.msg)
			}
			if rows := outboxRows(t, db); len(rows) != 0 {
				t.Fatalf("a refused batch left %d outbox rows", len(rows))
			}
			if xs, err := db.Externals(ctx, "2026"); err != nil || len(xs) != 0 {
				t.Errorf("external scores after a refused batch: %v, %v", xs, err)
			}
		})
	}

	t.Run("accepted after an earlier change", func(t *testing.T) {
		db := seeded(t)
		login(t, db, reviewer)
		if err := db.SaveIndicator(ctx, assess.Indicator{YearID: "2026", Code: "4", Title: "坚持严格规范公正文明执法", MaxScore: 10}); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveExternals(ctx, with(1, score("u2", assess.Onsite, 25, 20))); err == nil {
			t.Fatal("a bad batch was accepted")
		}
		if n := len(outboxRows(t, db)); n != 1 {
			t.Fatalf("%d outbox rows after a refused batch, want the 1 made before", n)
		}
		if err := db.SaveExternals(ctx, good); err != nil {
			t.Fatal(err)
		}
		rows := outboxRows(t, db)
		var refs []string
		for _, r := range rows[1:] {
			if r.kind != wire.KindExternalSave || r.state != StatePending {
				t.Errorf("outbox row %+v", r)
			}
			refs = append(refs, r.ref)
		}
		if got := strings.Join(refs, " "); got != "2026/u1/survey 2026/u1/onsite 2026/u2/survey" {
			t.Fatalf("queued %q", got)
		}
		xs, err := db.Externals(ctx, "2026")
		if err != nil || len(xs) != 3 || xs[2].UnitID != "u2" || xs[2].Score != 91.5 || xs[2].UpdatedAt.IsZero() {
			t.Fatalf("external scores %+v, %v", xs, err)
		}
	})
}
