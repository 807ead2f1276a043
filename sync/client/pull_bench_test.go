package client_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// cityFeed is a reviewer's feed of a city-scale year, in sequence order:
// 150 units, 120 indicators, and per task the task, one submission with 10
// attachments and one review (54,271 entries).
func cityFeed() []wire.Entry {
	const units, indicators, files = 150, 120, 10
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	var es []wire.Entry
	add := func(entity, id, unit string, v any) {
		data, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		es = append(es, wire.Entry{Seq: int64(len(es) + 1), Entity: entity, ID: id, UnitID: unit, Data: data})
	}
	add(wire.EntityYear, yearID, "", assess.Year{ID: yearID, Name: "2026年度", State: assess.YearPublished, Weights: assess.DefaultWeights, RectifyDays: 10, WarnDays: 5})
	var unitIDs []string
	for u := range units {
		id := fmt.Sprintf("unit%03d", u+1)
		unitIDs = append(unitIDs, id)
		add(wire.EntityUnit, id, "", assess.Unit{ID: id, Name: fmt.Sprintf("单位%03d", u+1), GroupID: "g"})
	}
	var inds []string
	for i := range indicators {
		id := fmt.Sprintf("cat-%d-%d", i/15+1, i%15+1)
		inds = append(inds, id)
		add(wire.EntityIndicator, id, "", assess.Indicator{ID: id, YearID: yearID, ParentID: fmt.Sprintf("cat-%d", i/15+1),
			Code: fmt.Sprintf("%d.%d", i/15+1, i%15+1), Title: "推行政府权责清单制度并实行动态管理",
			Content: "全面梳理行政权力事项，编制权责清单并向社会公布，建立动态调整机制。", Standard: "权责清单向社会公布并动态调整",
			Evidence: []string{"权责清单文件", "动态调整会议纪要", "公开网页截图"}, MaxScore: 5, Deadline: at, Units: unitIDs})
	}
	file := 0
	for _, unit := range unitIDs {
		for _, ind := range inds {
			id := assess.TaskID(ind, unit)
			atts := make([]assess.Attachment, files)
			for k := range atts {
				file++
				sum := sha256.Sum256(fmt.Appendf(nil, "evidence %d", file))
				atts[k] = assess.Attachment{Hash: hex.EncodeToString(sum[:]), Name: fmt.Sprintf("佐证材料%06d.pdf", file), Size: int64(200000 + file), Slot: k % 3}
			}
			add(wire.EntityTask, id, unit, assess.Task{ID: id, YearID: yearID, IndicatorID: ind, UnitID: unit, Status: assess.Scored,
				Version: 1, Score: 4, Scored: true, ReviewVersion: 1, UpdatedAt: at})
			add(wire.EntitySubmission, id+"#1", unit, assess.Submission{ID: id + "#1", TaskID: id, UnitID: unit, Version: 1,
				Statement: "已按要求制定并公布权责清单，建立动态调整机制，全年动态调整 3 次，调整情况均向社会公布。", Attachments: atts,
				SubmittedBy: "u-r-" + unit, SubmittedAt: at})
			add(wire.EntityReview, "rv-"+id, unit, assess.Review{ID: "rv-" + id, TaskID: id, UnitID: unit, Version: 1,
				Decision: assess.Score, Score: 4, Comment: "材料齐全，符合标准。", Reviewer: "u-reviewer", CreatedAt: at})
		}
	}
	return es
}

// feedServer answers GET /api/v1/changes from a fixed feed as the real
// server does (pages of at most limit entries after the cursor, the
// server's default and maximum page sizes, JSON encoded per request).
func feedServer(tb testing.TB, feed []wire.Entry) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != wire.ChangesPath {
			http.NotFound(w, r)
			return
		}
		after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if limit <= 0 {
			limit = wire.DefaultPageSize
		}
		limit = min(limit, wire.MaxPageSize)
		i := sort.Search(len(feed), func(i int) bool { return feed[i].Seq > after })
		page := wire.ChangesResponse{Entries: feed[i:min(i+limit, len(feed))], Next: after}
		if n := len(page.Entries); n > 0 {
			page.Next, page.More = page.Entries[n-1].Seq, i+n < len(feed)
		}
		body, err := json.Marshal(page)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// BenchmarkFirstPull measures a reviewer's first pull of a city-scale year
// (54,271 feed entries) from a feed server on loopback into a fresh local
// store with Syncer.SyncOnce, which fetches the next page while it applies
// one. In the same run it measures the two halves alone: every page fetched
// and decoded but not applied (fetch-s), and every page applied from memory
// (apply-s). A pull that overlaps them takes less than their sum.
func BenchmarkFirstPull(b *testing.B) {
	feed := cityFeed()
	srv := feedServer(b, feed)
	ctx := context.Background()
	newPC := func(b *testing.B) (*localdb.DB, *client.Syncer) {
		db, err := localdb.Open(tempDir(b), localdb.Options{})
		if err != nil {
			b.Fatal(err)
		}
		api, err := client.New(srv.URL, client.Options{})
		if err != nil {
			b.Fatal(err)
		}
		api.SetToken("bench")
		return db, client.NewSyncer(api, db, client.SyncOptions{Backoff: testBackoff})
	}
	var pullTime, fetchTime, applyTime time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, s := newPC(b)
		b.StartTimer()
		t0 := time.Now()
		if err := s.SyncOnce(ctx); err != nil {
			b.Fatal(err)
		}
		pullTime += time.Since(t0)
		b.StopTimer()
		if cur, err := db.Cursor(ctx); err != nil || cur != feed[len(feed)-1].Seq {
			b.Fatalf("cursor after the pull: %d, %v", cur, err)
		}
		db.Close()

		// The halves: fetch every page, then apply them from memory.
		db, s = newPC(b)
		var pages []wire.ChangesResponse
		t0 = time.Now()
		for after := int64(0); ; {
			page, err := s.API().Changes(ctx, after, 0)
			if err != nil {
				b.Fatal(err)
			}
			pages = append(pages, page)
			if !page.More {
				break
			}
			after = page.Next
		}
		fetchTime += time.Since(t0)
		t0 = time.Now()
		for _, p := range pages {
			if err := db.ApplyPage(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
		applyTime += time.Since(t0)
		db.Close()
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(pullTime.Seconds()/n, "s/pull")
	b.ReportMetric(fetchTime.Seconds()/n, "fetch-s")
	b.ReportMetric(applyTime.Seconds()/n, "apply-s")
	b.ReportMetric(float64(len(feed)), "entries")
}
