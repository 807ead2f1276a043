package sqlite_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
	"github.com/yiwangtong/yiwangtong/sync/server/storetest"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// FuzzPush pushes arbitrary change kinds and bodies as an administrator or a
// reporter. Whatever arrives, the store answers one well-formed result and
// no error, and a retry answers the same result.
func FuzzPush(f *testing.F) {
	task := storetest.Task(storetest.Leaf11, storetest.UnitA)
	hash := strings.Repeat("ab", 32)
	for _, seed := range []struct {
		actor      byte
		kind, data string
	}{
		{0, wire.KindGroupSave, `{"id":"g2","name":"乡镇街道"}`},
		{0, wire.KindUnitSave, `{"id":"boshan","name":"博山区","group_id":"district"}`},
		{0, wire.KindYearSave, `{"id":"2027","name":"2027年度","weights":{"system":50,"survey":30,"onsite":20}}`},
		{0, wire.KindIndicatorSave, `{"id":"ind-2","year_id":"2026","code":"2","title":"制度建设","max_score":20,"units":["zhangdian"]}`},
		{0, wire.KindExternalSave, `{"year_id":"2026","unit_id":"zichuan","source":"onsite","score":70,"max":100}`},
		{0, wire.KindYearPublish, `{"year_id":"2026"}`},
		{0, wire.KindScore, `{"task_id":"` + task + `","version":1,"score":1e400}`},
		{1, wire.KindDraftSave, `{"task_id":"` + task + `","statement":"草稿","attachments":[{"hash":"` + hash + `","name":"a.pdf","size":1}]}`},
		{1, wire.KindSubmit, `{"task_id":"` + task + `","base_version":0,"statement":"已落实","attachments":[{"hash":"` + hash + `","name":"a.pdf"}]}`},
		{1, wire.KindSubmit, `{"task_id":"` + task + `","statement":"x","attachments":[{"hash":"../","name":"a\u202e.pdf"}]}`},
		{1, wire.KindRectRespond, `{"task_id":"` + task + `","response":"已整改"}`},
		{1, wire.KindDraftSave, `{"task_id":`},
		{1, wire.KindDraftSave, `[1,2,3]`},
		{1, "", ``},
		{0, "year.delete", `{}`},
	} {
		f.Add(seed.actor, seed.kind, []byte(seed.data))
	}

	clock := storetest.NewClock(storetest.Start)
	s, err := sqlite.Open(filepath.Join(tempDir(f), "server.db"), sqlite.Options{Now: clock.Now})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	c := storetest.SeedCity(f, s, clock, true)
	actors := []assess.User{c.Admin, c.ReporterA, c.Reviewer}
	n := 0

	f.Fuzz(func(t *testing.T, actor byte, kind string, data []byte) {
		n++
		u := actors[int(actor)%len(actors)]
		ch := wire.Change{ID: fmt.Sprintf("fuzz-%d", n), Kind: kind, Data: json.RawMessage(data), MadeAt: storetest.Start}
		first := pushFuzz(t, s, u, ch)
		if again := pushFuzz(t, s, u, ch); again != first {
			t.Fatalf("retry answered %+v, first %+v", again, first)
		}
	})
}

func pushFuzz(t *testing.T, s *sqlite.Store, u assess.User, ch wire.Change) wire.Result {
	t.Helper()
	rs, err := s.Push(ctx, u, []wire.Change{ch})
	if err != nil {
		t.Fatalf("push %q %q: %v", ch.Kind, ch.Data, err)
	}
	if len(rs) != 1 || rs[0].ID != ch.ID {
		t.Fatalf("results %+v", rs)
	}
	r := rs[0]
	switch r.Status {
	case wire.Applied:
		if r.HTTP != http.StatusOK || r.Code != "" || r.Seq <= 0 {
			t.Fatalf("applied result %+v", r)
		}
	case wire.Rejected:
		if r.Code == "" || r.Code == assess.EInternal || r.HTTP != wire.Status(r.Code) || r.HTTP == http.StatusInternalServerError || r.Message == "" {
			t.Fatalf("rejected result %+v", r)
		}
	default:
		t.Fatalf("result %+v", r)
	}
	return r
}
