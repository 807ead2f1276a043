package e2e_test

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/sync/wire"

	_ "modernc.org/sqlite" // the driver for the integrity check
)

// Kill rounds and the speed of the server's network in the kill test:
// slow enough that a sync of the prepared work lasts seconds, so that the
// kills land in every phase of it.
const (
	killRounds = 20
	killRate   = 3 << 19 // bytes per second, each way, per connection
)

// outcome is what a task must look like once everything is synced.
type outcome struct {
	submitted bool // else a draft only
	statement string
	hashes    []string
}

// TestKillDuringSync prepares a reporter's PC with many queued actions,
// runs `yiwangtong sync` and kills it with SIGKILL at 20 random moments,
// restarting it each time (a sync that finishes before its kill does not
// count, and more work is queued for the next), then lets a sync finish.
// Nothing may be lost or duplicated: the local database passes PRAGMA
// integrity_check, the outbox is empty, the server holds one submission per
// submitted task, the last draft of every drafted task and each file once.
// The seed in the log replays the kill points.
//
// A restarted client's HEAD meets the killed client's PATCH still being
// served: the server's upload lock makes it wait for that request to end
// rather than interrupt it (see sync/server/locker.go).
func TestKillDuringSync(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a client process 20 times; skipped with -short")
	}
	bin := binary(t, "yiwangtong")
	const extra = 160
	clk := newClock(at(3, 2, 9))
	c := newCentral(t, clk, func(ln net.Listener) net.Listener { return &slowListener{Listener: ln, rate: killRate} })
	c.seed(extra)
	dir := tempDir(t)
	run := func(stdin string, args ...string) (string, string, error) {
		cmd := exec.Command(bin, append([]string{"--data", dir}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		return out.String(), errOut.String(), err
	}
	if out, errOut, err := run(people["rep-a"].password+"\n", "login", "--server", c.url(), "--username", "rep-a", "--password-stdin"); err != nil {
		t.Fatalf("login: %v\n%s%s", err, out, errOut)
	}
	if out, errOut, err := run("", "sync"); err != nil {
		t.Fatalf("first sync: %v\n%s%s", err, out, errOut)
	}

	rng := seeded(t)
	w := newWorkload(t, dir, extra, rng)
	w.queue(24, 8)
	t.Logf("queued work: %d tasks, %d files, %.1f MB", len(w.want), len(w.files), float64(w.bytes)/(1<<20))

	// Each attempt kills the sync after a random delay; an attempt whose
	// sync finishes first does not count, more work is queued for the next,
	// and later delays are drawn below how long that sync took, so that the
	// kills keep landing inside syncs however fast the machine runs them.
	killed := 0
	maxDelay := 500 * time.Millisecond
	for attempt := 1; killed < killRounds; attempt++ {
		if attempt > 4*killRounds {
			t.Fatalf("only %d of %d syncs were killed while running", killed, attempt-1)
		}
		delay := 5*time.Millisecond + time.Duration(rng.Int64N(int64(maxDelay)))
		started := time.Now()
		cmd := exec.Command(bin, "--data", dir, "sync")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		timer := time.AfterFunc(delay, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
		err := cmd.Wait()
		timer.Stop()
		state := "finished first"
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("sync failed: %v\n%s%s", err, out.String(), errOut.String())
			}
			killed++
			state = fmt.Sprintf("kill %2d", killed)
		case err != nil:
			t.Fatal(err)
		}
		t.Logf("attempt %2d: SIGKILL after %v: %s; last report %q", attempt, delay.Round(time.Millisecond), state, lastLine(errOut.String()+out.String()))
		if err == nil {
			maxDelay = max(min(maxDelay, time.Since(started)*3/4), 10*time.Millisecond)
			w.queue(10, 2)
		}
	}
	t.Logf("all work: %d tasks, %d files, %.1f MB", len(w.want), len(w.files), float64(w.bytes)/(1<<20))

	out, errOut, err := run("", "sync")
	if err != nil || !strings.Contains(out, "同步完成") {
		t.Fatalf("the final sync: %v\n%s%s", err, out, errOut)
	}

	// The client's database is sound and its outbox empty.
	raw, err := sql.Open("sqlite", filepath.Join(dir, localdb.FileName))
	if err != nil {
		t.Fatal(err)
	}
	var check string
	err = raw.QueryRow("PRAGMA integrity_check").Scan(&check)
	raw.Close()
	if err != nil || check != "ok" {
		t.Fatalf("PRAGMA integrity_check: %q, %v", check, err)
	}
	db, err := localdb.Open(dir, localdb.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if pending, rejected, err := db.PendingCount(ctx); err != nil || pending != 0 || rejected != 0 {
		t.Fatalf("client outbox: %d pending, %d rejected (%v); want empty", pending, rejected, err)
	}

	// The server holds exactly the work, once.
	want, files := w.want, w.files
	latest := c.latest("admin")
	subs := map[string][]assess.Submission{}
	for _, s := range decodeAll[assess.Submission](t, latest, wire.EntitySubmission) {
		subs[s.TaskID] = append(subs[s.TaskID], s)
	}
	drafts := map[string]wire.DraftSave{}
	for _, d := range decodeAll[wire.DraftSave](t, latest, wire.EntityDraft) {
		drafts[d.TaskID] = d
	}
	tasks := map[string]assess.Task{}
	for _, tk := range decodeAll[assess.Task](t, latest, wire.EntityTask) {
		tasks[tk.ID] = tk
	}
	nSubmitted := 0
	for id, w := range want {
		tk := tasks[id]
		v, err := db.Task(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Pending) != 0 || len(v.Rejected) != 0 {
			t.Errorf("%s: still pending %v, rejected %+v", id, v.Pending, v.Rejected)
		}
		if w.submitted {
			nSubmitted++
			s := subs[id]
			if len(s) != 1 || s[0].Version != 1 || s[0].Statement != w.statement || !slices.Equal(hashesOf(s[0].Attachments), w.hashes) {
				t.Errorf("%s: server submissions %+v, want one with %q %v", id, s, w.statement, w.hashes)
			}
			if tk.Status != assess.Submitted || tk.Version != 1 || v.Local != assess.Submitted || v.Version != 1 {
				t.Errorf("%s: server %s v%d, client %s v%d; want submitted v1", id, tk.Status, tk.Version, v.Local, v.Version)
			}
			if _, ok := drafts[id]; ok {
				t.Errorf("%s: the server still holds a draft of a submitted task", id)
			}
			continue
		}
		d, ok := drafts[id]
		if !ok || d.Statement != w.statement || !slices.Equal(hashesOf(d.Attachments), w.hashes) {
			t.Errorf("%s: server draft %+v, want %q %v", id, d, w.statement, w.hashes)
		}
		if len(subs[id]) != 0 || tk.Version != 0 || v.Local != assess.Draft {
			t.Errorf("%s: submissions %+v, server v%d, client %s; want a draft only", id, subs[id], tk.Version, v.Local)
		}
	}
	n := 0
	for _, s := range subs {
		n += len(s)
	}
	if n != nSubmitted || len(drafts) != len(want)-nSubmitted {
		t.Errorf("server holds %d submissions and %d drafts, want %d and %d", n, len(drafts), nSubmitted, len(want)-nSubmitted)
	}
	named := map[string]bool{}
	for _, w := range want {
		for _, h := range w.hashes {
			named[h] = true
		}
	}
	stored := c.evidenceFiles()
	if !slices.Equal(slices.Sorted(maps.Keys(stored)), slices.Sorted(maps.Keys(named))) {
		t.Errorf("server evidence %d files, want the %d files the work names", len(stored), len(named))
	}
	for h := range named {
		if stored[h] != files[h].size || c.storedSHA256(h) != h {
			t.Errorf("server evidence %s: %d bytes, want %d with its SHA-256", h, stored[h], files[h].size)
		}
		if _, err := c.store.Blob(ctx, h); err != nil {
			t.Errorf("no server record of evidence %s: %v", h, err)
		}
	}
	c.verifyAudit()
}

// workload is the work queued on the PC of the kill test, and what it
// must come to.
type workload struct {
	t     *testing.T
	dir   string // the PC's data folder
	src   string // where the user's files are
	rng   *rand.Rand
	todo  []string // tasks not touched yet
	files map[string]evidence
	order []string // file hashes in the order made
	bytes int64
	want  map[string]outcome
}

func newWorkload(t *testing.T, dir string, extra int, rng *rand.Rand) *workload {
	w := &workload{t: t, dir: dir, src: tempDir(t), rng: rng, files: map[string]evidence{}, want: map[string]outcome{}}
	w.todo = []string{task(leaf11, unitA), task(leaf12, unitA), task(leaf21, unitA)}
	for i := range extra {
		w.todo = append(w.todo, task(extraLeaf(i), unitA))
	}
	return w
}

// queue opens the PC's store (no sync runs meanwhile), adds newFiles files
// of 100 to 700 KB, and works on up to n untouched tasks: each drafted one
// to three times with one to three files (new or old, so that some files
// serve several tasks), then mostly submitted; one in eight left alone.
func (w *workload) queue(n, newFiles int) {
	t := w.t
	t.Helper()
	db, err := localdb.Open(w.dir, localdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range newFiles {
		k := len(w.order) + 1
		f := writeEvidence(t, w.src, fmt.Sprintf("佐证材料%02d.pdf", k), 1000+uint64(k), 100<<10+w.rng.IntN(600<<10))
		w.files[f.sum] = f
		w.order = append(w.order, f.sum)
		w.bytes += f.size
	}
	for range min(n, len(w.todo)) {
		id := w.todo[0]
		w.todo = w.todo[1:]
		p := w.rng.IntN(100)
		if p < 12 {
			continue // left alone
		}
		var o outcome
		for edit := range 1 + w.rng.IntN(3) {
			o.statement = fmt.Sprintf("任务 %s 的落实情况说明，第 %d 稿。", id, edit+1)
			o.hashes = nil
			var list []assess.Attachment
			for _, k := range w.rng.Perm(len(w.order))[:1+w.rng.IntN(min(3, len(w.order)))] {
				a, err := db.AddEvidence(ctx, w.files[w.order[k]].path)
				if err != nil {
					t.Fatal(err)
				}
				a.Slot = -1
				list = append(list, a)
				o.hashes = append(o.hashes, a.Hash)
			}
			if err := db.SaveDraft(ctx, id, o.statement, list); err != nil {
				t.Fatalf("draft %s: %v", id, err)
			}
		}
		if p < 75 {
			if err := db.Submit(ctx, id); err != nil {
				t.Fatalf("submit %s: %v", id, err)
			}
			o.submitted = true
		}
		w.want[id] = o
	}
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// slowListener serves connections that read at most rate bytes a second
// each: a slow network between the PC and the server.
type slowListener struct {
	net.Listener
	rate int
}

func (l *slowListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &slowConn{Conn: conn, rate: l.rate}, nil
}

type slowConn struct {
	net.Conn
	rate int
}

func (c *slowConn) pause(n int) {
	if n > 0 {
		time.Sleep(time.Duration(n) * time.Second / time.Duration(c.rate))
	}
}

func (c *slowConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p[:min(len(p), 32<<10)])
	c.pause(n)
	return n, err
}

func (c *slowConn) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		n, err := c.Conn.Write(p[:min(len(p), 32<<10)])
		written += n
		c.pause(n)
		if err != nil {
			return written, err
		}
		p = p[n:]
	}
	return written, nil
}
