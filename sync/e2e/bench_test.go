package e2e_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// Evidence throughput: benchFiles files of benchSize bytes per run.
const (
	benchFiles = 20
	benchSize  = 25 << 20
)

// randomReader yields seeded random bytes after a file-type header.
type randomReader struct {
	r    *rand.Rand
	head []byte
}

func (r *randomReader) Read(p []byte) (int, error) {
	n := copy(p, r.head)
	r.head = r.head[n:]
	for i := n; i < len(p); i++ {
		p[i] = byte(r.r.Uint32())
	}
	return len(p), nil
}

// BenchmarkEvidenceSync uploads 20 × 25 MB of evidence on loopback through
// the sync client's tus uploads into the real server (tusd, SHA-256
// verification, the move into the evidence store, the record in SQLite),
// one file after another, and in the same run PUTs the same files, one
// after another, to a minimal handler that writes each body to a file. It
// reports the rates in MB/s and the ratio tus ÷ raw (target ≥ 0.85); and,
// to show where the time goes, the rate of a raw PUT whose handler also
// syncs the file to disk, as the evidence store does, and tus ÷ that.
func BenchmarkEvidenceSync(b *testing.B) {
	clk := newClock(at(3, 2, 9))
	// The PC: its store holds the files; it logs in to a fresh server in
	// each round, so that every file is sent again.
	seedServer := newCentral(b, clk, nil)
	seedServer.seed(0)
	pc := seedServer.desk("rep-a", bareNetwork())
	var blobs []client.LocalBlob
	for i := range benchFiles {
		name := fmt.Sprintf("执法案卷扫描件%02d.pdf", i+1)
		src := io.LimitReader(&randomReader{r: rand.New(rand.NewPCG(uint64(i), 7)), head: []byte(magic(name))}, benchSize)
		a, err := pc.db.AddEvidenceReader(ctx, name, src)
		if err != nil {
			b.Fatal(err)
		}
		blobs = append(blobs, client.LocalBlob{Hash: a.Hash, Name: a.Name, Size: a.Size})
	}
	seedServer.stop()

	// The raw operation: a handler that writes the body to a file; with
	// ?sync=1 it also syncs the file to disk before answering, as the
	// server's evidence store does, to show what durability costs.
	rawDir := tempDir(b)
	raw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.CreateTemp(rawDir, "put-*")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, err = io.Copy(f, r.Body)
		if err == nil && r.URL.Query().Get("sync") == "1" {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer raw.Close()
	rawClient := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	put := func(bl client.LocalBlob, query string) {
		f, err := pc.db.OpenBlob(ctx, bl.Hash)
		if err != nil {
			b.Fatal(err)
		}
		req, err := http.NewRequest(http.MethodPut, raw.URL+"/"+bl.Hash+query, f)
		if err != nil {
			b.Fatal(err)
		}
		req.ContentLength = bl.Size
		resp, err := rawClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			b.Fatalf("raw PUT: %s", resp.Status)
		}
	}

	// Each file goes raw, raw with sync, then through tus, so that the
	// three see the same machine at nearly the same moment.
	var rawTime, syncTime, tusTime time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := newCentral(b, clk, nil)
		c.seed(0)
		api, err := client.New(c.url(), client.Options{HTTPClient: &http.Client{Transport: bareNetwork()}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := api.Login(ctx, "rep-a", people["rep-a"].password); err != nil {
			b.Fatal(err)
		}
		s := client.NewSyncer(api, pc.db, client.SyncOptions{Now: clk.Now, Backoff: fastBackoff})
		b.StartTimer()

		for _, bl := range blobs {
			start := time.Now()
			put(bl, "")
			rawTime += time.Since(start)

			start = time.Now()
			put(bl, "?sync=1")
			syncTime += time.Since(start)

			start = time.Now()
			open := func() (io.ReadSeekCloser, error) { return pc.db.OpenBlob(ctx, bl.Hash) }
			if err := s.Upload(ctx, bl, open, nil); err != nil {
				b.Fatal(err)
			}
			tusTime += time.Since(start)
		}

		b.StopTimer()
		if files := c.evidenceFiles(); len(files) != benchFiles {
			b.Fatalf("the server holds %d files, want %d", len(files), benchFiles)
		}
		for _, bl := range blobs {
			if _, err := c.store.Blob(ctx, bl.Hash); err != nil {
				b.Fatal(err)
			}
		}
		c.stop()
		os.RemoveAll(c.dir)
		entries, _ := os.ReadDir(rawDir)
		for _, e := range entries {
			os.Remove(filepath.Join(rawDir, e.Name()))
		}
		b.StartTimer()
	}
	mb := float64(benchFiles*benchSize) / (1 << 20) * float64(b.N)
	rawRate, syncRate, tusRate := mb/rawTime.Seconds(), mb/syncTime.Seconds(), mb/tusTime.Seconds()
	b.ReportMetric(rawRate, "raw-MB/s")
	b.ReportMetric(syncRate, "raw+fsync-MB/s")
	b.ReportMetric(tusRate, "tus-MB/s")
	b.ReportMetric(tusRate/rawRate, "ratio")
	b.ReportMetric(tusRate/syncRate, "ratio-fsync")
}

// City scale: 150 units × 120 indicators = 18,000 tasks, each submitted
// with 10 evidence files and reviewed.
const (
	cityUnits      = 150
	cityCategories = 8
	cityLeaves     = 120
	cityFiles      = 10
	// cityReturned tasks of the first unit are returned rather than
	// scored, so that the unit can keep drafting them: the incremental
	// pull's 100 changes are new drafts of them.
	cityReturned = 100
)

// bigCity is a city-scale year on a running server, built through Push in
// batches of at most 500 changes and AddBlob, as the clients and the
// upload handler would build it.
type bigCity struct {
	c        *central
	reporter assess.User // of the first unit
	returned []wire.DraftSave
}

func buildBigCity(b *testing.B) *bigCity {
	b.Helper()
	clk := newClock(at(3, 2, 9))
	c := newCentral(b, clk, nil)
	st := c.store
	c.addUsers("admin", "reviewer1")
	admin := people["admin"].user
	n := 0
	change := func(kind string, v any) wire.Change {
		n++
		data, err := json.Marshal(v)
		if err != nil {
			b.Fatal(err)
		}
		return wire.Change{ID: fmt.Sprintf("city-%d", n), Kind: kind, Data: data, MadeAt: clk.Now()}
	}
	push := func(u assess.User, changes []wire.Change) {
		for len(changes) > 0 {
			batch := changes[:min(len(changes), wire.MaxPushChanges)]
			changes = changes[len(batch):]
			rs, err := st.Push(ctx, u, batch)
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

	org := []wire.Change{change(wire.KindGroupSave, assess.Group{ID: groupDist, Name: "区县"}), change(wire.KindGroupSave, assess.Group{ID: groupDept, Name: "市直部门"})}
	units := make([]string, cityUnits)
	for i := range units {
		units[i] = fmt.Sprintf("unit%03d", i+1)
		group := groupDept
		if i < 30 {
			group = groupDist
		}
		org = append(org, change(wire.KindUnitSave, assess.Unit{ID: units[i], Name: fmt.Sprintf("单位%03d", i+1), GroupID: group}))
	}
	org = append(org, change(wire.KindYearSave, assess.Year{ID: yearID, Name: "2026年度", Weights: assess.DefaultWeights, RectifyDays: 10, WarnDays: 5}))
	var leaves []string
	for cat := range cityCategories {
		catID := fmt.Sprintf("cat-%d", cat+1)
		org = append(org, change(wire.KindIndicatorSave, assess.Indicator{ID: catID, YearID: yearID, Code: fmt.Sprint(cat + 1), Title: "依法全面履行政府职能", MaxScore: 100}))
		for l := range cityLeaves / cityCategories {
			id := fmt.Sprintf("%s-%d", catID, l+1)
			leaves = append(leaves, id)
			org = append(org, change(wire.KindIndicatorSave, assess.Indicator{
				ID: id, YearID: yearID, ParentID: catID, Code: fmt.Sprintf("%d.%d", cat+1, l+1), Title: "推行政府权责清单制度并实行动态管理",
				Content: "全面梳理行政权力事项，编制权责清单并向社会公布，建立动态调整机制。", Standard: "权责清单向社会公布并动态调整",
				Evidence: []string{"权责清单文件", "动态调整会议纪要", "公开网页截图"}, MaxScore: 5, Deadline: assess.Date(2026, 11, 30), Units: units,
			}))
		}
	}
	org = append(org, change(wire.KindYearPublish, wire.YearRef{YearID: yearID}))
	push(admin, org)

	city := &bigCity{c: c}
	var decisions []wire.Change
	file := 0
	for ui, unit := range units {
		reporter := assess.User{ID: "u-r-" + unit, Username: "r-" + unit, Name: "填报员", Role: assess.Reporter, UnitID: unit}
		if err := st.AddUser(ctx, reporter, "$argon2id$v=19$m=47104,t=1,p=1$c2FsdA$bm90LWEtcmVhbC1oYXNo"); err != nil {
			b.Fatal(err)
		}
		if ui == 0 {
			city.reporter = reporter
		}
		var submits []wire.Change
		for li, leaf := range leaves {
			atts := make([]assess.Attachment, cityFiles)
			for k := range atts {
				file++
				sum := sha256.Sum256(fmt.Appendf(nil, "evidence %d", file))
				atts[k] = assess.Attachment{Hash: hex.EncodeToString(sum[:]), Name: fmt.Sprintf("佐证材料%06d.pdf", file), Size: int64(200000 + file), Slot: k % 3}
				if err := st.AddBlob(ctx, server.Blob{Hash: atts[k].Hash, Size: atts[k].Size, Name: atts[k].Name, UploadedBy: reporter.ID, UnitID: unit}); err != nil {
					b.Fatal(err)
				}
			}
			id := assess.TaskID(leaf, unit)
			const statement = "已按要求制定并公布权责清单，建立动态调整机制，全年动态调整 3 次，调整情况均向社会公布。"
			submits = append(submits, change(wire.KindSubmit, wire.Submit{TaskID: id, Statement: statement, Attachments: atts}))
			if ui == 0 && li < cityReturned {
				decisions = append(decisions, change(wire.KindReturn, wire.ReviewDecision{TaskID: id, Version: 1, Comment: "请补充动态调整会议纪要。"}))
				city.returned = append(city.returned, wire.DraftSave{TaskID: id, Statement: statement, Attachments: atts})
				continue
			}
			decisions = append(decisions, change(wire.KindScore, wire.ReviewDecision{TaskID: id, Version: 1, Score: float64(3 + file%3), Comment: "材料齐全，符合标准。"}))
		}
		push(reporter, submits)
	}
	push(people["reviewer1"].user, decisions)
	return city
}

// pullStore pulls the whole feed after a cursor from the store as u, page
// by page as a client asks for it, and returns the entries' count.
func pullStore(b *testing.B, st *sqlite.Store, u assess.User, after int64) int {
	n := 0
	for {
		page, err := st.Changes(ctx, u, after, 0)
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

// BenchmarkCityPull measures a reviewer's first full pull of a city-scale
// year (18,000 tasks, 18,000 submissions holding 180,000 evidence records,
// 18,000 reviews) over HTTP into a fresh local store (target ≤ 3 s), and an
// incremental pull of 100 changes into an up-to-date one (target ≤ 100 ms),
// each against the raw operation in the same run: the server store's
// Changes calls alone, without HTTP, decoding or applying. The first pull
// also reports the same pages fetched over HTTP and decoded but not
// applied (fetch-s/pull), which splits the time between the wire and the
// local store.
func BenchmarkCityPull(b *testing.B) {
	start := time.Now()
	city := buildBigCity(b)
	c := city.c
	reviewer := people["reviewer1"].user
	total := pullStore(b, c.store, reviewer, 0)
	b.Logf("built the city in %v: %d feed entries for a reviewer", time.Since(start).Round(time.Second), total)

	fullPull := func(b *testing.B, d *desk) {
		if err := d.sync.SyncOnce(ctx); err != nil {
			b.Fatal(err)
		}
	}
	checkFull := func(b *testing.B, d *desk) {
		views, err := d.db.Tasks(ctx, localdb.TaskFilter{YearID: yearID})
		if err != nil {
			b.Fatal(err)
		}
		if len(views) != cityUnits*cityLeaves {
			b.Fatalf("the reviewer's PC holds %d tasks, want %d", len(views), cityUnits*cityLeaves)
		}
		subs, err := d.db.Submissions(ctx, views[len(views)-1].ID)
		if err != nil || len(subs) != 1 || len(subs[0].Attachments) != cityFiles {
			b.Fatalf("submissions of %s: %+v, %v", views[len(views)-1].ID, subs, err)
		}
	}

	b.Run("FirstPull", func(b *testing.B) {
		var httpTime, rawTime, fetchTime time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			d := c.desk("reviewer1", bareNetwork())
			b.StartTimer()
			t0 := time.Now()
			fullPull(b, d)
			httpTime += time.Since(t0)
			b.StopTimer()
			checkFull(b, d)
			// Where the time goes: the same pages over HTTP and decoded,
			// but not applied.
			t0 = time.Now()
			n, after := 0, int64(0)
			for {
				page, err := d.api.Changes(ctx, after, 0)
				if err != nil {
					b.Fatal(err)
				}
				n += len(page.Entries)
				after = page.Next
				if !page.More {
					break
				}
			}
			fetchTime += time.Since(t0)
			if n != total {
				b.Fatalf("HTTP gave %d entries, want %d", n, total)
			}
			d.db.Close()
			t0 = time.Now()
			if n := pullStore(b, c.store, reviewer, 0); n != total {
				b.Fatalf("the store gave %d entries, want %d", n, total)
			}
			rawTime += time.Since(t0)
			b.StartTimer()
		}
		b.ReportMetric(httpTime.Seconds()/float64(b.N), "s/pull")
		b.ReportMetric(rawTime.Seconds()/float64(b.N), "store-s/pull")
		b.ReportMetric(fetchTime.Seconds()/float64(b.N), "fetch-s/pull")
		b.ReportMetric(httpTime.Seconds()/rawTime.Seconds(), "x-store")
		b.ReportMetric(float64(total), "entries")
	})

	round := 0 // the benchmark function may run several times: change IDs stay unique
	b.Run("Incremental100", func(b *testing.B) {
		b.StopTimer()
		d := c.desk("reviewer1", bareNetwork())
		fullPull(b, d)
		b.StartTimer()
		var httpTime, rawTime time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			round++
			var drafts []wire.Change
			for k, ds := range city.returned {
				ds.Statement = fmt.Sprintf("%s（第 %d 次补充：已补充动态调整会议纪要 %d 份。）", ds.Statement, round, k+1)
				data, err := json.Marshal(ds)
				if err != nil {
					b.Fatal(err)
				}
				drafts = append(drafts, wire.Change{ID: fmt.Sprintf("draft-%d-%d", round, k), Kind: wire.KindDraftSave, Data: data, MadeAt: c.clock.Now()})
			}
			rs, err := c.store.Push(ctx, city.reporter, drafts)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range rs {
				if r.Status != wire.Applied {
					b.Fatalf("%+v", r)
				}
			}
			before, err := d.db.Cursor(ctx)
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			if n := pullStore(b, c.store, reviewer, before); n != cityReturned {
				b.Fatalf("the store gave %d new entries, want %d", n, cityReturned)
			}
			rawTime += time.Since(t0)
			b.StartTimer()
			t0 = time.Now()
			fullPull(b, d)
			httpTime += time.Since(t0)
			b.StopTimer()
			dr, err := d.db.Draft(ctx, city.returned[cityReturned-1].TaskID)
			if err != nil || dr.Source != localdb.FromServer || dr.Statement != fmt.Sprintf("%s（第 %d 次补充：已补充动态调整会议纪要 %d 份。）", city.returned[cityReturned-1].Statement, round, cityReturned) {
				b.Fatalf("the reviewer's PC after the pull: %+v, %v", dr, err)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(httpTime.Microseconds())/1000/float64(b.N), "ms/pull")
		b.ReportMetric(float64(rawTime.Microseconds())/1000/float64(b.N), "store-ms/pull")
		b.ReportMetric(float64(cityReturned), "entries")
	})
}
