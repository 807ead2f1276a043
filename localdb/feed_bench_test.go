package localdb

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// city is a city-scale first pull: 150 units × 120 indicators = 18,000
// tasks, one submission with 10 attachments and one review each.
type city struct {
	years  []assess.Year
	units  []assess.Unit
	inds   []assess.Indicator
	tasks  []assess.Task
	subs   []assess.Submission
	revs   []assess.Review
	pages  []wire.ChangesResponse
	rawSeq [][]any // the records of each page, in order, for the raw inserts
	// attJSON holds each submission's attachments encoded ahead, so that the
	// raw inserts do no JSON work at all.
	attJSON map[string]string
}

func makeCity(units, indicators, pageSize int) *city {
	c := &city{years: []assess.Year{year}, attJSON: map[string]string{}}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for u := range units {
		c.units = append(c.units, assess.Unit{ID: fmt.Sprintf("u%03d", u), Name: fmt.Sprintf("单位%03d", u), GroupID: fmt.Sprintf("g%d", u%2)})
	}
	for i := range indicators {
		c.inds = append(c.inds, assess.Indicator{ID: fmt.Sprintf("2026/%d.%d", i/15+1, i%15+1), YearID: "2026",
			Code: fmt.Sprintf("%d.%d", i/15+1, i%15+1), Title: "指标名称" + fmt.Sprint(i), Content: "指标内容说明",
			Standard: "达标标准", Evidence: []string{"文件", "会议纪要", "台账"}, MaxScore: 1, Deadline: at})
	}
	var records []any
	records = append(records, c.years[0])
	for _, u := range c.units {
		records = append(records, u)
	}
	for _, in := range c.inds {
		records = append(records, in)
	}
	n := 0
	for _, in := range c.inds {
		for _, u := range c.units {
			t := task(in, u, assess.Scored, 1)
			t.Score, t.Scored, t.ReviewVersion, t.UpdatedAt = 0.8, true, 1, at
			s := assess.Submission{ID: t.ID + "#1", TaskID: t.ID, UnitID: u.ID, Version: 1, Statement: "已按要求落实，详见佐证材料。",
				SubmittedBy: "r-" + u.ID, SubmittedAt: at}
			for k := range 10 {
				s.Attachments = append(s.Attachments, assess.Attachment{Hash: hashOf([]byte(fmt.Sprint(n, k))), Name: fmt.Sprintf("佐证%d.pdf", k), Size: 100000 + int64(k), Slot: k % 3})
			}
			r := assess.Review{ID: fmt.Sprintf("rv%d", n), TaskID: t.ID, UnitID: u.ID, Version: 1, Decision: assess.Score, Score: 0.8,
				Comment: "材料齐全", Reviewer: "v1", CreatedAt: at}
			c.tasks, c.subs, c.revs = append(c.tasks, t), append(c.subs, s), append(c.revs, r)
			c.attJSON[s.ID] = jsonAttachments(s.Attachments)
			records = append(records, t, s, r)
			n++
		}
	}
	for i := 0; i < len(records); i += pageSize {
		part := records[i:min(i+pageSize, len(records))]
		var es []wire.Entry
		for j, r := range part {
			seq := int64(i + j + 1)
			switch v := r.(type) {
			case assess.Year:
				es = append(es, entry(seq, wire.EntityYear, v.ID, v))
			case assess.Unit:
				es = append(es, entry(seq, wire.EntityUnit, v.ID, v))
			case assess.Indicator:
				es = append(es, entry(seq, wire.EntityIndicator, v.ID, v))
			case assess.Task:
				es = append(es, entry(seq, wire.EntityTask, v.ID, v))
			case assess.Submission:
				es = append(es, entry(seq, wire.EntitySubmission, v.ID, v))
			case assess.Review:
				es = append(es, entry(seq, wire.EntityReview, v.ID, v))
			}
		}
		c.pages = append(c.pages, wire.ChangesResponse{Entries: es, Next: int64(i + len(part)), More: i+pageSize < len(records)})
		c.rawSeq = append(c.rawSeq, part)
	}
	return c
}

// rawInsert writes the same rows with plain prepared INSERTs, one
// transaction per page: no JSON decoding, no upserts, no cursor.
func rawInsert(ctx context.Context, db *DB, c *city) error {
	for _, part := range c.rawSeq {
		err := db.write(ctx, func(tx *sql.Tx) error {
			stmts := map[string]*sql.Stmt{}
			defer func() {
				for _, s := range stmts {
					s.Close()
				}
			}()
			exec := func(q string, args ...any) error {
				s, ok := stmts[q]
				if !ok {
					var err error
					if s, err = tx.PrepareContext(ctx, q); err != nil {
						return err
					}
					stmts[q] = s
				}
				_, err := s.ExecContext(ctx, args...)
				return err
			}
			for _, r := range part {
				var err error
				switch v := r.(type) {
				case assess.Year:
					err = exec(`INSERT INTO years VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, v.ID, v.Name, string(v.State), v.Weights.System, v.Weights.Survey, v.Weights.Onsite, v.RectifyDays, v.WarnDays)
				case assess.Unit:
					err = exec(`INSERT INTO units VALUES (?, ?, ?)`, v.ID, v.Name, v.GroupID)
				case assess.Indicator:
					err = exec(`INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.ID, v.YearID, v.ParentID, v.Code, v.Title,
						v.Content, v.Standard, jsonList(v.Evidence), v.MaxScore, v.ScoringRule, fmtTime(v.Deadline), v.LowScore, jsonList(v.Units), boolInt(v.KeyTask),
						jsonOrEmpty(v.Milestones))
				case assess.Task:
					err = exec(`INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.ID, v.YearID, v.IndicatorID, v.UnitID, string(v.Status), v.Version, v.Score,
						boolInt(v.Scored), v.ReviewVersion, fmtTime(v.UpdatedAt))
				case assess.Submission:
					err = exec(`INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, v.ID, v.TaskID, v.UnitID, v.Version, v.Statement,
						c.attJSON[v.ID], v.SubmittedBy, fmtTime(v.SubmittedAt))
				case assess.Review:
					err = exec(`INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.ID, v.TaskID, v.UnitID, v.Version, string(v.Decision), v.Score, v.Comment, v.Reviewer, fmtTime(v.CreatedAt))
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkApplyPage measures a reviewer's first pull of a city (18,000
// tasks, 18,000 submissions × 10 attachments, 18,000 reviews, pages of
// 2,000) through ApplyPage, against raw inserts of the same rows in the same
// run. Each iteration starts from an empty database.
func BenchmarkApplyPage(b *testing.B) {
	c := makeCity(150, 120, wire.DefaultPageSize)
	ctx := context.Background()
	run := func(b *testing.B, pull func(db *DB) error) {
		for b.Loop() {
			b.StopTimer()
			db, err := Open(tempDir(b), Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := pull(db); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(len(c.tasks)+len(c.subs)+len(c.revs))*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
	}
	b.Run("ApplyPage", func(b *testing.B) {
		run(b, func(db *DB) error {
			for _, p := range c.pages {
				if err := db.ApplyPage(ctx, p); err != nil {
					return err
				}
			}
			return nil
		})
	})
	b.Run("RawInsert", func(b *testing.B) {
		run(b, func(db *DB) error { return rawInsert(ctx, db, c) })
	})
}

// TestCityPullIsComplete checks what the benchmark pulls: every row
// arrives, and the raw comparison writes the same rows.
func TestCityPullIsComplete(t *testing.T) {
	c := makeCity(6, 10, 25)
	ctx := context.Background()
	count := func(db *DB) string {
		var a, s, r, tk int
		db.r.QueryRow(`SELECT (SELECT sum(json_array_length(attachments)) FROM submissions), (SELECT count(*) FROM submissions),
			(SELECT count(*) FROM reviews), (SELECT count(*) FROM tasks)`).Scan(&a, &s, &r, &tk)
		return fmt.Sprint(tk, s, a, r)
	}
	db1 := openTest(t)
	for _, p := range c.pages {
		if err := db1.ApplyPage(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	db2 := openTest(t)
	if err := rawInsert(ctx, db2, c); err != nil {
		t.Fatal(err)
	}
	if got, raw := count(db1), count(db2); got != "60 60 600 60" || raw != got {
		t.Fatalf("pulled %s, raw %s", got, raw)
	}
	if cur, _ := db1.Cursor(ctx); cur != c.pages[len(c.pages)-1].Next {
		t.Fatalf("cursor %d", cur)
	}
	subs, err := db1.Submissions(ctx, c.tasks[7].ID)
	if err != nil || len(subs) != 1 || len(subs[0].Attachments) != 10 {
		t.Fatalf("submissions = %+v, %v", subs, err)
	}
}
