package localdb

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// The crash test re-runs this test binary as a child that works on a data
// folder in a loop, printing a line after every commit, and kills it with
// SIGKILL at random moments. After each kill the parent reopens the folder
// and checks that the database is sound and that every acknowledged action
// is there exactly once.

const (
	crashDirEnv  = "LOCALDB_CRASH_DIR"
	crashSeedEnv = "LOCALDB_CRASH_SEED"
	crashTasks   = 24
)

func crashTaskID(i int) string { return fmt.Sprintf("2026/c.%d@u1", i) }

func crashSeed(t *testing.T, dir string) {
	ctx := context.Background()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	page := seedPage()
	for i := range crashTasks {
		in := assess.Indicator{ID: fmt.Sprintf("2026/c.%d", i), YearID: "2026", Code: fmt.Sprintf("9.%d", i), Title: "测试指标", MaxScore: 2,
			Milestones: []assess.Milestone{{ID: "m1", Title: "节点一", Due: time.Date(2026, 6, 30, 0, 0, 0, 0, assess.CST)},
				{ID: "m2", Title: "节点二", Due: time.Date(2026, 9, 30, 0, 0, 0, 0, assess.CST)}}}
		tk := task(in, unit1, assess.NotStarted, 0)
		page.Entries = append(page.Entries, entry(int64(20+2*i), wire.EntityIndicator, in.ID, in), entry(int64(21+2*i), wire.EntityTask, tk.ID, tk))
	}
	if err := db.ApplyPage(ctx, page); err != nil {
		t.Fatal(err)
	}
	login(t, db, reporter1)
}

// TestCrashChild is the child's body; it runs only inside TestKillNine.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("the child of TestKillNine")
	}
	seed, _ := strconv.ParseUint(os.Getenv(crashSeedEnv), 10, 64)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	ctx := context.Background()
	db, err := Open(dir, Options{})
	if err != nil {
		fmt.Printf("crash: fatal %v\n", err)
		os.Exit(3)
	}
	say := func(format string, args ...any) { fmt.Fprintf(os.Stdout, "crash: "+format+"\n", args...) }
	dataHash := func(id string) string {
		var data string
		db.r.QueryRow("SELECT data FROM outbox WHERE id = ?", id).Scan(&data)
		h := sha256.Sum256([]byte(data))
		return hex.EncodeToString(h[:8])
	}
	var blobs []assess.Attachment
	say("ready")
	for n := 0; ; n++ {
		tid := crashTaskID(rng.IntN(crashTasks))
		switch p := rng.IntN(100); {
		case p < 40: // save a draft, maybe with a new file
			var atts []assess.Attachment
			if rng.IntN(3) == 0 {
				a, err := db.AddEvidenceReader(ctx, fmt.Sprintf("证明%d.pdf", n), strings.NewReader(fmt.Sprintf("%%PDF-1.7 %d %d %s", seed, n, strings.Repeat("x", rng.IntN(20000)))))
				if err != nil {
					say("error %v", err)
					continue
				}
				blobs = append(blobs, a)
			}
			for range rng.IntN(3) {
				if len(blobs) > 0 {
					a := blobs[rng.IntN(len(blobs))]
					dup := false
					for _, b := range atts {
						dup = dup || b.Hash == a.Hash
					}
					if !dup {
						atts = append(atts, a)
					}
				}
			}
			say("do %s", tid)
			id, err := db.saveDraft(ctx, tid, fmt.Sprintf("落实情况 %d", n), atts)
			if err != nil {
				say("refused %s", tid)
				continue
			}
			say("ack %s %s %s", id, tid, dataHash(id))
		case p < 47: // file a milestone, maybe with a file already added
			var atts []assess.Attachment
			if len(blobs) > 0 && rng.IntN(2) == 0 {
				atts = append(atts, blobs[rng.IntN(len(blobs))])
			}
			say("do %s", tid)
			var id string
			err := db.write(ctx, func(tx *sql.Tx) error {
				var err error
				id, err = db.fileMilestoneTx(ctx, tx, wire.MilestoneFile{TaskID: tid, MilestoneID: fmt.Sprint("m", 1+rng.IntN(2)),
					Statement: fmt.Sprintf("节点完成情况 %d", n), Attachments: atts})
				return err
			})
			if err != nil {
				say("refused %s", tid)
				continue
			}
			say("ack %s %s %s", id, tid, dataHash(id))
		case p < 55:
			say("do %s", tid)
			id, err := db.submit(ctx, tid)
			if err != nil {
				say("refused %s", tid)
				continue
			}
			say("ack %s %s %s", id, tid, dataHash(id))
		case p < 75: // a push answered
			cs, err := db.Pending(ctx, 1+rng.IntN(5))
			if err != nil || len(cs) == 0 {
				continue
			}
			var rs []wire.Result
			var parts []string
			for _, c := range cs {
				switch q := rng.IntN(10); {
				case q < 7:
					rs = append(rs, wire.Result{ID: c.ID, Status: wire.Applied, Seq: int64(n)})
					parts = append(parts, c.ID+"=applied")
				case q < 9:
					rs = append(rs, wire.Result{ID: c.ID, Status: wire.Rejected, Code: assess.EConflict, Message: "冲突"})
					parts = append(parts, c.ID+"=rejected")
				default:
					rs = append(rs, wire.Result{ID: c.ID, Status: wire.Rejected, Code: assess.EMissing})
					parts = append(parts, c.ID+"=pending")
				}
			}
			say("record %s", strings.Join(parts, ","))
			if err := db.RecordResults(ctx, rs); err != nil {
				say("error %v", err)
				continue
			}
			say("recorded")
		case p < 88: // a page of the feed
			cur, err := db.Cursor(ctx)
			if err != nil {
				continue
			}
			next := cur + 10
			v, err := db.Task(ctx, tid)
			if err != nil {
				continue
			}
			moved := v.Task
			moved.Status, moved.Version = assess.Returned, moved.Version+1
			page := wire.ChangesResponse{Entries: []wire.Entry{
				entry(next-1, wire.EntityTask, moved.ID, moved),
				entry(next, wire.EntityUnit, fmt.Sprintf("crash-%d", next), assess.Unit{ID: fmt.Sprintf("crash-%d", next), Name: "标记", GroupID: "g1"}),
			}, Next: next}
			say("paging %d %s", next, tid)
			if err := db.ApplyPage(ctx, page); err != nil {
				say("error %v", err)
				continue
			}
			say("page %d", next)
		default: // resolve a rejection
			rej, err := db.Rejected(ctx)
			if err != nil || len(rej) == 0 {
				continue
			}
			r := rej[rng.IntN(len(rej))]
			say("do %s", r.Ref)
			say("resolving %s", r.ChangeID)
			if rng.IntN(2) == 0 {
				id, err := db.keepMine(ctx, r.ChangeID)
				if err != nil {
					say("refused %s", r.Ref)
					continue
				}
				say("resolved %s %s", r.ChangeID, id)
				say("ack %s %s %s", id, r.Ref, dataHash(id))
			} else {
				if err := db.TakeServer(ctx, r.ChangeID); err != nil {
					say("refused %s", r.Ref)
					continue
				}
				say("resolved %s -", r.ChangeID)
			}
		}
	}
}

// crashLog is what the child acknowledged before it was killed.
type crashLog struct {
	acked    map[string]string // change ID → hash of its data at the last acknowledgement
	taskOf   map[string]string
	gone     map[string]bool // applied or resolved: must not be in the outbox
	rejected map[string]bool // recorded as rejected: must be there, rejected
	unsure   map[string]bool // an answer or resolution that may or may not have committed
	inFlight string          // the task of the action interrupted by the kill
	pageDone int64           // the last page acknowledged
	pageTry  int64           // a page that may or may not have committed
}

func parseCrashLog(lines []string) crashLog {
	l := crashLog{acked: map[string]string{}, taskOf: map[string]string{}, gone: map[string]bool{}, rejected: map[string]bool{}, unsure: map[string]bool{}}
	var recording []string
	var resolving string
	for _, line := range lines {
		f := strings.Fields(strings.TrimPrefix(line, "crash: "))
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "do":
			l.inFlight = f[1]
		case "refused":
			l.inFlight = ""
		case "ack":
			l.acked[f[1]], l.taskOf[f[1]] = f[3], f[2]
			delete(l.gone, f[1])
			l.inFlight = ""
		case "record":
			recording = strings.Split(f[1], ",")
		case "recorded":
			for _, p := range recording {
				id, what, _ := strings.Cut(p, "=")
				switch what {
				case "applied":
					l.gone[id] = true
					delete(l.rejected, id)
				case "rejected":
					l.rejected[id] = true
				}
			}
			recording = nil
		case "paging":
			l.pageTry = mustInt(f[1])
			l.inFlight = f[2]
		case "page":
			l.pageDone = mustInt(f[1])
			l.inFlight = ""
		case "resolving":
			resolving = f[1]
		case "resolved":
			l.gone[f[1]] = true
			delete(l.rejected, f[1])
			resolving = ""
		}
	}
	for _, p := range recording {
		id, _, _ := strings.Cut(p, "=")
		l.unsure[id] = true
	}
	if resolving != "" {
		l.unsure[resolving] = true
	}
	return l
}

func mustInt(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic(err)
	}
	return n
}

func TestKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process 20 times")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := tempDir(t)
	crashSeed(t, dir)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	cursor := int64(100) // crashSeed's page
	for round := range 20 {
		killAfter := 5 + rng.IntN(120)
		cmd := exec.Command(exe, "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashSeedEnv+"="+strconv.FormatUint(seed+uint64(round), 10))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var lines []string
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "crash: ") {
				continue
			}
			lines = append(lines, line)
			if strings.HasPrefix(line, "crash: fatal") || strings.HasPrefix(line, "crash: error") {
				cmd.Process.Kill()
				t.Fatalf("round %d: child: %s", round, line)
			}
			if len(lines) == killAfter {
				cmd.Process.Kill() // SIGKILL: no deferred function, no clean-up
			}
		}
		if err := cmd.Wait(); err == nil || len(lines) < killAfter {
			t.Fatalf("round %d: the child ended by itself after %d lines (%v): %s", round, len(lines), err, stderr.String())
		}
		cursor = verifyAfterCrash(t, round, dir, cursor, parseCrashLog(lines))
	}
}

func verifyAfterCrash(t *testing.T, round int, dir string, prevCursor int64, l crashLog) int64 {
	t.Helper()
	ctx := context.Background()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("round %d: reopen: %v", round, err)
	}
	defer db.Close()
	var ok string
	if err := db.r.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("round %d: integrity_check = %q, %v", round, ok, err)
	}
	var fk int
	if err := db.r.QueryRow("SELECT count(*) FROM pragma_foreign_key_check").Scan(&fk); err != nil || fk != 0 {
		t.Fatalf("round %d: foreign_key_check found %d rows, %v", round, fk, err)
	}
	rows := map[string]outboxRow{}
	for _, r := range outboxRows(t, db) {
		if _, dup := rows[r.id]; dup {
			t.Fatalf("round %d: change %s is in the outbox twice", round, r.id)
		}
		rows[r.id] = r
	}
	for id, want := range l.acked {
		r, there := rows[id]
		switch {
		case l.unsure[id]:
		case l.gone[id]:
			if there {
				t.Errorf("round %d: change %s was applied or resolved but is still in the outbox", round, id)
			}
		case !there:
			t.Errorf("round %d: acknowledged change %s (%s) is lost", round, id, l.taskOf[id])
		case l.rejected[id] && r.state != StateRejected:
			t.Errorf("round %d: change %s recorded as rejected is %s", round, id, r.state)
		case l.taskOf[id] != l.inFlight:
			h := sha256.Sum256([]byte(r.data))
			if got := hex.EncodeToString(h[:8]); got != want {
				t.Errorf("round %d: change %s holds other data than acknowledged", round, id)
			}
		}
	}
	cur, err := db.Cursor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := l.pageDone
	if want == 0 {
		want = prevCursor
	}
	if cur != want && cur != l.pageTry {
		t.Errorf("round %d: cursor %d, want %d (or %d, the page in flight)", round, cur, want, l.pageTry)
	}
	us, err := db.Units(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if n, found := strings.CutPrefix(u.ID, "crash-"); found && mustInt(n) > cur {
			t.Errorf("round %d: unit %s of a page after the cursor %d is there", round, u.ID, cur)
		}
	}
	if cur > 100 && find(us, fmt.Sprintf("crash-%d", cur), func(u assess.Unit) string { return u.ID }).ID == "" {
		t.Errorf("round %d: the cursor moved to %d without its page", round, cur)
	}
	// Every file the user's work names is there, whole.
	var hashes []string
	rs, err := db.r.Query("SELECT DISTINCT hash FROM (" + referencedHashes + ") WHERE hash IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var h string
		rs.Scan(&h)
		hashes = append(hashes, h)
	}
	rs.Close()
	for _, h := range hashes {
		f, err := db.OpenVerified(ctx, h)
		if err != nil {
			t.Errorf("round %d: evidence %s: %v", round, h[:8], err)
			continue
		}
		f.Close()
	}
	t.Logf("round %d: %d acknowledged, outbox %d rows, cursor %d, %d files", round, len(l.acked), len(rows), cur, len(hashes))
	return cur
}
