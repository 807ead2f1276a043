package sqlite_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
	"github.com/yiwangtong/yiwangtong/sync/server/storetest"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// City scale of the benchmark: 150 units × 120 indicators = 18,000 tasks,
// each submitted with 10 evidence files and scored.
const (
	benchUnits      = 150
	benchCategories = 8
	benchLeaves     = 120
	benchFiles      = 10
)

// benchCity is a city-sized store built through Push in batches of at most
// 500 changes; only the 180,000 evidence records are loaded in bulk.
type benchCity struct {
	s        *sqlite.Store
	path     string
	reviewer assess.User
	reporter assess.User // of the first unit
}

func buildBenchCity(b *testing.B) *benchCity {
	b.Helper()
	clock := storetest.NewClock(storetest.Start)
	path := filepath.Join(tempDir(b), "city.db")
	s, err := sqlite.Open(path, sqlite.Options{Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	admin := assess.User{ID: "admin", Username: "admin", Name: "管理员", Role: assess.Reviewer, UnitID: "city", Admin: true}
	if err := s.AddUser(ctx, admin, "hash"); err != nil {
		b.Fatal(err)
	}
	n := 0
	change := func(kind string, v any) wire.Change {
		n++
		data, err := json.Marshal(v)
		if err != nil {
			b.Fatal(err)
		}
		return wire.Change{ID: fmt.Sprintf("c%d", n), Kind: kind, Data: data, MadeAt: clock.Now()}
	}
	push := func(u assess.User, changes []wire.Change) {
		for len(changes) > 0 {
			batch := changes[:min(len(changes), wire.MaxPushChanges)]
			changes = changes[len(batch):]
			rs, err := s.Push(ctx, u, batch)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range rs {
				if r.Status != wire.Applied {
					b.Fatalf("%+v", r)
				}
			}
		}
	}

	var org []wire.Change
	org = append(org, change(wire.KindGroupSave, assess.Group{ID: "district", Name: "区县"}),
		change(wire.KindGroupSave, assess.Group{ID: "dept", Name: "市直部门"}))
	units := make([]string, benchUnits)
	for i := range units {
		units[i] = fmt.Sprintf("unit%03d", i)
		group := "dept"
		if i < 40 {
			group = "district"
		}
		org = append(org, change(wire.KindUnitSave, assess.Unit{ID: units[i], Name: fmt.Sprintf("单位%03d", i), GroupID: group}))
	}
	org = append(org, change(wire.KindYearSave, assess.Year{ID: "2026", Name: "2026年度", Weights: assess.DefaultWeights, RectifyDays: 10}))
	var leaves []string
	for cat := range benchCategories {
		catID := fmt.Sprintf("cat%d", cat+1)
		org = append(org, change(wire.KindIndicatorSave, assess.Indicator{ID: catID, YearID: "2026", Code: fmt.Sprint(cat + 1), Title: "依法全面履行政府职能", MaxScore: 100}))
		for l := range benchLeaves / benchCategories {
			id := fmt.Sprintf("%s-%d", catID, l+1)
			leaves = append(leaves, id)
			org = append(org, change(wire.KindIndicatorSave, assess.Indicator{
				ID: id, YearID: "2026", ParentID: catID, Code: fmt.Sprintf("%d.%d", cat+1, l+1), Title: "推行权责清单制度并实行动态管理",
				Content: "全面梳理行政权力事项，编制权责清单并向社会公布。", Standard: "按时公布并动态调整", Evidence: []string{"文件", "会议纪要", "公开网页截图"},
				MaxScore: 5, Units: units,
			}))
		}
	}
	org = append(org, change(wire.KindYearPublish, wire.YearRef{YearID: "2026"}))
	push(admin, org)

	reviewer := assess.User{ID: "reviewer", Username: "reviewer", Name: "审核员", Role: assess.Reviewer, UnitID: "city"}
	if err := s.AddUser(ctx, reviewer, "hash"); err != nil {
		b.Fatal(err)
	}
	var firstReporter assess.User
	var scores []wire.Change
	file := 0
	for ui, unit := range units {
		reporter := assess.User{ID: "r-" + unit, Username: "r-" + unit, Name: "填报员", Role: assess.Reporter, UnitID: unit}
		if err := s.AddUser(ctx, reporter, "hash"); err != nil {
			b.Fatal(err)
		}
		if ui == 0 {
			firstReporter = reporter
		}
		var blobs []server.Blob
		var submits []wire.Change
		for _, leaf := range leaves {
			atts := make([]assess.Attachment, benchFiles)
			for k := range atts {
				file++
				sum := sha256.Sum256(fmt.Appendf(nil, "file %d", file))
				atts[k] = assess.Attachment{Hash: hex.EncodeToString(sum[:]), Name: fmt.Sprintf("佐证材料%06d.pdf", file), Size: int64(100000 + file), Slot: k % 3}
				blobs = append(blobs, server.Blob{Hash: atts[k].Hash, Size: atts[k].Size, Name: atts[k].Name, UploadedBy: reporter.ID, UnitID: unit})
			}
			task := assess.TaskID(leaf, unit)
			submits = append(submits, change(wire.KindSubmit, wire.Submit{TaskID: task, Statement: "已按要求制定并公布权责清单，建立动态调整机制，全年调整 3 次。", Attachments: atts}))
			scores = append(scores, change(wire.KindScore, wire.ReviewDecision{TaskID: task, Version: 1, Score: float64(3 + file%3), Comment: "材料齐全，符合标准"}))
		}
		if err := s.BulkAddBlobs(ctx, blobs); err != nil {
			b.Fatal(err)
		}
		push(reporter, submits)
	}
	push(reviewer, scores)
	return &benchCity{s: s, path: path, reviewer: reviewer, reporter: firstReporter}
}

// BenchmarkChanges measures a reviewer's first full pull of a city, paged as
// a client pulls it, against a raw SELECT of the same rows in the same run;
// and a reporter's first pull and an incremental pull of 100 changes.
func BenchmarkChanges(b *testing.B) {
	c := buildBenchCity(b)
	raw, err := sql.Open("sqlite", "file:"+c.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	var total int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM feed`).Scan(&total); err != nil {
		b.Fatal(err)
	}

	pull := func(b *testing.B, u assess.User, after int64) int {
		n := 0
		for {
			page, err := c.s.Changes(ctx, u, after, 0)
			if err != nil {
				b.Fatal(err)
			}
			n += len(page.Entries)
			after = page.Next
			if !page.More {
				return n
			}
		}
	}
	b.Run("FirstPull/Store", func(b *testing.B) {
		for b.Loop() {
			if n := pull(b, c.reviewer, 0); n != total {
				b.Fatalf("pulled %d entries, the feed holds %d", n, total)
			}
		}
		b.ReportMetric(float64(total), "entries")
	})
	b.Run("FirstPull/RawSelect", func(b *testing.B) {
		for b.Loop() {
			rows, err := raw.Query(`SELECT seq, entity, entity_id, unit_id, deleted, data FROM feed ORDER BY seq`)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var e wire.Entry
				var deleted int
				var data []byte
				if err := rows.Scan(&e.Seq, &e.Entity, &e.ID, &e.UnitID, &deleted, &data); err != nil {
					b.Fatal(err)
				}
				e.Data = data
				n++
			}
			rows.Close()
			if n != total {
				b.Fatalf("selected %d rows, want %d", n, total)
			}
		}
		b.ReportMetric(float64(total), "entries")
	})
	b.Run("ReporterFirstPull/Store", func(b *testing.B) {
		var n int
		for b.Loop() {
			n = pull(b, c.reporter, 0)
		}
		b.ReportMetric(float64(n), "entries")
	})
	var after int64
	if err := raw.QueryRow(`SELECT seq FROM feed ORDER BY seq DESC LIMIT 1 OFFSET 100`).Scan(&after); err != nil {
		b.Fatal(err)
	}
	b.Run("Incremental100/Store", func(b *testing.B) {
		for b.Loop() {
			if n := pull(b, c.reviewer, after); n != 100 {
				b.Fatalf("pulled %d entries, want 100", n)
			}
		}
	})
}
