package localdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

var _ client.Local = (*DB)(nil)

// clock is a settable time source for tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, assess.CST)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(tempDir(t), Options{Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func entry(seq int64, entity, id string, v any) wire.Entry {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return wire.Entry{Seq: seq, Entity: entity, ID: id, Data: b}
}

// Fixture records.
var (
	year  = assess.Year{ID: "2026", Name: "2026年度", State: assess.YearPublished, Weights: assess.DefaultWeights, RectifyDays: 10, WarnDays: 5}
	unit1 = assess.Unit{ID: "u1", Name: "张店区", GroupID: "g1"}
	unit2 = assess.Unit{ID: "u2", Name: "淄川区", GroupID: "g1"}
	ind1  = assess.Indicator{ID: "2026/1.1", YearID: "2026", Code: "1.1", Title: "依法全面履行政府职能",
		Evidence: []string{"文件", "会议纪要"}, MaxScore: 5, Units: []string{"u1", "u2"}}
	ind2 = assess.Indicator{ID: "2026/2.1", YearID: "2026", Code: "2.1", Title: "完善依法行政制度体系", MaxScore: 10}
	ind3 = assess.Indicator{ID: "2026/10.1", YearID: "2026", Code: "10.1", Title: "组织保障", MaxScore: 3}

	reporter1 = assess.User{ID: "r1", Username: "zhangdian", Name: "张店填报员", Role: assess.Reporter, UnitID: "u1"}
	reporter2 = assess.User{ID: "r2", Username: "zichuan", Name: "淄川填报员", Role: assess.Reporter, UnitID: "u2"}
	reviewer  = assess.User{ID: "v1", Username: "shenhe", Name: "审核员", Role: assess.Reviewer, UnitID: "city", Admin: true}
)

func task(ind assess.Indicator, u assess.Unit, st assess.Status, version int) assess.Task {
	return assess.Task{ID: assess.TaskID(ind.ID, u.ID), YearID: ind.YearID, IndicatorID: ind.ID, UnitID: u.ID, Status: st, Version: version}
}

// seedPage is a first pull: a published year, two units, three indicators
// and their tasks.
func seedPage() wire.ChangesResponse {
	es := []wire.Entry{
		entry(1, wire.EntityYear, year.ID, year),
		entry(2, wire.EntityGroup, "g1", assess.Group{ID: "g1", Name: "区县"}),
		entry(3, wire.EntityUnit, unit1.ID, unit1),
		entry(4, wire.EntityUnit, unit2.ID, unit2),
		entry(5, wire.EntityIndicator, ind1.ID, ind1),
		entry(6, wire.EntityIndicator, ind2.ID, ind2),
		entry(7, wire.EntityIndicator, ind3.ID, ind3),
	}
	seq := int64(8)
	for _, in := range []assess.Indicator{ind1, ind2, ind3} {
		for _, u := range []assess.Unit{unit1, unit2} {
			t := task(in, u, assess.NotStarted, 0)
			es = append(es, entry(seq, wire.EntityTask, t.ID, t))
			seq++
		}
	}
	return wire.ChangesResponse{Entries: es, Next: 100}
}

func seeded(t testing.TB) *DB {
	t.Helper()
	db := openTest(t)
	if err := db.ApplyPage(context.Background(), seedPage()); err != nil {
		t.Fatal(err)
	}
	return db
}

func login(t testing.TB, db *DB, u assess.User) {
	t.Helper()
	if err := db.SaveSession(context.Background(), Session{Server: "https://example.invalid", Token: "tok-" + u.ID, User: u,
		ExpiresAt: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
}

func hashOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// addFile adds evidence with the given content and returns its attachment.
func addFile(t testing.TB, db *DB, name, content string) assess.Attachment {
	t.Helper()
	a, err := db.AddEvidenceReader(context.Background(), name, stringsReader(content))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func wantCode(t testing.TB, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", want)
	}
	var ae *assess.Error
	if !errors.As(err, &ae) {
		t.Fatalf("got %v (not an assess error), want %s", err, want)
	}
	if ae.Code != want {
		t.Fatalf("got %v, want code %s", err, want)
	}
}

// outboxRows returns the whole outbox, oldest first.
func outboxRows(t testing.TB, db *DB) []outboxRow {
	t.Helper()
	rows, err := outboxWhere(context.Background(), db.r, "1 = 1")
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// snapshot returns a printable dump of the user's own tables, to show that a
// refused action wrote nothing.
func snapshot(t testing.TB, db *DB) string {
	t.Helper()
	var s string
	err := db.r.QueryRow(`SELECT
		(SELECT COALESCE(json_group_array(json_array(seq, id, kind, ref, data, state, handed_out, code)), '') FROM outbox) ||
		(SELECT COALESCE(json_group_array(json_array(task_id, statement, attachments, synced_seq)), '') FROM drafts)`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func stringsReader(s string) *stringReader { return &stringReader{s: s} }

// stringReader is a plain io.Reader (no WriterTo), like a network body.
type stringReader struct{ s string }

func (r *stringReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	n := copy(p, r.s)
	r.s = r.s[n:]
	return n, nil
}
