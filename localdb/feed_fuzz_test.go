package localdb

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

var fuzzEntities = []string{wire.EntityYear, wire.EntityGroup, wire.EntityUnit, wire.EntityUser, wire.EntityIndicator,
	wire.EntityTask, wire.EntityDraft, wire.EntitySubmission, wire.EntityReview, wire.EntityRectification,
	wire.EntityExternal, wire.EntityStanding, "lead"}

// fingerprint counts the rows of every table and reads the cursor.
func fingerprint(t *testing.T, db *DB) string {
	t.Helper()
	s := ""
	for _, table := range append([]string{"outbox", "blobs", "session"}, mirrorTables...) {
		var n int
		if err := db.r.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		s += fmt.Sprintf("%s=%d ", table, n)
	}
	c, err := db.Cursor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s + fmt.Sprintf("cursor=%d", c)
}

// readAll reads everything the mirror holds through the public API.
func readAll(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil && assess.ErrorCode(err) != assess.ENotFound {
			t.Fatalf("read %s after a clean apply: %v", what, err)
		}
	}
	_, err := db.Years(ctx)
	must("years", err)
	_, err = db.Groups(ctx)
	must("groups", err)
	_, err = db.Units(ctx)
	must("units", err)
	_, err = db.Users(ctx)
	must("users", err)
	_, err = db.Indicators(ctx, "")
	must("indicators", err)
	_, err = db.Externals(ctx, "")
	must("externals", err)
	ts, err := db.Tasks(ctx, TaskFilter{})
	must("tasks", err)
	for _, v := range ts {
		_, err = db.Draft(ctx, v.ID)
		must("draft", err)
	}
	rows, err := db.r.Query(`SELECT task_id FROM submissions UNION SELECT task_id FROM reviews
		UNION SELECT task_id FROM rectifications UNION SELECT 'year:' || year_id FROM standings`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if y, ok := strings.CutPrefix(id, "year:"); ok {
			_, err = db.Standings(ctx, y)
			must("standings", err)
			continue
		}
		_, err = db.Submissions(ctx, id)
		must("submissions", err)
		_, err = db.Reviews(ctx, id)
		must("reviews", err)
		_, err = db.Rectification(ctx, id)
		must("rectification", err)
	}
}

// FuzzApplyEntry feeds random data for every entity kind through ApplyPage:
// it must never panic, and either fail with nothing written (the cursor
// included) or apply cleanly, leaving everything readable.
func FuzzApplyEntry(f *testing.F) {
	for _, e := range allRecords().page(12).Entries {
		for i, k := range fuzzEntities {
			if k == e.Entity {
				f.Add(uint8(i), []byte(e.Data))
			}
		}
	}
	for i := range fuzzEntities {
		for _, s := range []string{`null`, `[]`, `{}`, `"x"`, `{"id": 5}`, `{"id": "other"}`, `{"name": "a\u0000b\ud800"}`,
			`{"updated_at": "9999-12-31T23:59:59-01:00", "deadline": "0000-01-01T00:00:00+08:00"}`,
			`{"attachments": [{"hash": 1}]}`, `{"attachments": null, "evidence": {"a": 1}}`, `{"version": 1e300}`,
			`{"score": -1e308, "rank": 9223372036854775807}`} {
			f.Add(uint8(i), []byte(s))
		}
	}
	db := openTest(f)
	var seq atomic.Int64
	seq.Store(1000)
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		ctx := context.Background()
		n := seq.Add(1)
		e := wire.Entry{Seq: n, Entity: fuzzEntities[int(kind)%len(fuzzEntities)], ID: fmt.Sprintf("fz-%d", n), Data: data}
		before := fingerprint(t, db)
		err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{e}, Next: n})
		after := fingerprint(t, db)
		if err != nil {
			if after != before {
				t.Fatalf("a failed apply wrote: %s\n before %s\n after  %s", err, before, after)
			}
			return
		}
		if c, _ := db.Cursor(ctx); c != n {
			t.Fatalf("cursor %d after a clean apply of %d", c, n)
		}
		readAll(t, db)
	})
}
