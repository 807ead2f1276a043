package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func TestPush(t *testing.T) {
	e := newEnv(t)
	tok := e.token("rep-a")
	draft := change("c-1", wire.KindDraftSave, wire.DraftSave{TaskID: taskA, Statement: "已公布权责清单", Attachments: []assess.Attachment{}})
	bad := change("c-2", wire.KindScore, wire.ReviewDecision{TaskID: taskA, Version: 1, Score: 9})
	r := e.push(tok, draft, bad)
	if r.status != http.StatusOK {
		t.Fatalf("push: %d %s", r.status, r.body)
	}
	var pr wire.PushResponse
	r.decode(t, &pr)
	if len(pr.Results) != 2 || pr.Results[0].Status != wire.Applied || pr.Results[0].Seq == 0 ||
		pr.Results[1].Status != wire.Rejected || pr.Results[1].HTTP != http.StatusForbidden || !hasHan(pr.Results[1].Message) {
		t.Fatalf("results %+v", pr.Results)
	}
	// The same push again answers the same results and applies nothing new.
	r2 := e.push(tok, draft, bad)
	var pr2 wire.PushResponse
	r2.decode(t, &pr2)
	if r2.status != http.StatusOK || fmt.Sprint(pr2.Results) != fmt.Sprint(pr.Results) {
		t.Errorf("retry: %d %+v, want %+v", r2.status, pr2.Results, pr.Results)
	}
	// A reused ID with another body fails the whole push with 409.
	other := change("c-1", wire.KindDraftSave, wire.DraftSave{TaskID: taskA, Statement: "另一份说明"})
	r3 := e.push(tok, change("c-3", wire.KindDraftSave, wire.DraftSave{TaskID: taskA, Statement: "x"}), other)
	if r3.status != http.StatusConflict {
		t.Errorf("reused ID: %d, want 409 (%s)", r3.status, r3.body)
	}
	if we := r3.wireError(t); we.Code != assess.EConflict {
		t.Errorf("code %s", we.Code)
	}
	// An empty push is answered with no results.
	r4 := e.do(http.MethodPost, wire.PushPath, tok, `{"changes":[]}`)
	if r4.status != http.StatusOK || strings.TrimSpace(string(r4.body)) != `{"results":[]}` {
		t.Errorf("empty push: %d %s", r4.status, r4.body)
	}
}

func TestChanges(t *testing.T) {
	e := newEnv(t)
	a, b := e.token("rep-a"), e.token("rep-b")
	r := e.push(a, change("d-1", wire.KindDraftSave, wire.DraftSave{TaskID: taskA, Statement: "甲区的草稿"}))
	if r.status != http.StatusOK {
		t.Fatal(r.status)
	}
	feed := func(tok string, q string) wire.ChangesResponse {
		t.Helper()
		r := e.do(http.MethodGet, wire.ChangesPath+q, tok, nil)
		if r.status != http.StatusOK {
			t.Fatalf("changes%s: %d %s", q, r.status, r.body)
		}
		var cr wire.ChangesResponse
		r.decode(t, &cr)
		return cr
	}
	all := func(tok string) []wire.Entry {
		var out []wire.Entry
		after := int64(0)
		for range 100 {
			page := feed(tok, fmt.Sprintf("?after=%d&limit=3", after))
			if len(page.Entries) > 3 {
				t.Fatalf("page of %d entries with limit 3", len(page.Entries))
			}
			out = append(out, page.Entries...)
			after = page.Next
			if !page.More {
				return out
			}
		}
		t.Fatal("the feed does not end")
		return nil
	}
	seesDraft := func(entries []wire.Entry) bool {
		for _, en := range entries {
			if en.Entity == wire.EntityDraft && bytes.Contains(en.Data, []byte("甲区的草稿")) {
				return true
			}
		}
		return false
	}
	if ea := all(a); !seesDraft(ea) {
		t.Error("unit A does not see its own draft")
	}
	if eb := all(b); seesDraft(eb) {
		t.Error("unit B sees unit A's draft")
	}
	if !seesDraft(all(e.token("reviewer"))) {
		t.Error("the reviewer does not see the draft")
	}
	first := feed(a, "")
	if len(first.Entries) == 0 || first.Next == 0 {
		t.Errorf("default page: %+v", first)
	}
	if empty := feed(a, fmt.Sprintf("?after=%d", first.Next+1000)); empty.Entries == nil || len(empty.Entries) != 0 {
		t.Errorf("past the end: %s", e.do(http.MethodGet, wire.ChangesPath+fmt.Sprintf("?after=%d", first.Next+1000), a, nil).body)
	}
	for _, q := range []string{"?after=-1", "?after=x", "?limit=0", "?limit=-5", "?limit=ten", "?after=99999999999999999999"} {
		r := e.do(http.MethodGet, wire.ChangesPath+q, a, nil)
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", q, r.status)
		}
		r.wireError(t)
	}
	if r := e.do(http.MethodGet, wire.ChangesPath+"?limit=1000000", a, nil); r.status != http.StatusOK {
		t.Errorf("a limit above the maximum is capped: %d", r.status)
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	tok := e.token("rep-a")
	many := make([]wire.Change, wire.MaxPushChanges+1)
	for i := range many {
		many[i] = change(fmt.Sprintf("m-%d", i), wire.KindDraftSave, wire.DraftSave{TaskID: taskA})
	}
	tooMany, _ := json.Marshal(wire.PushRequest{Changes: many})
	huge := `{"changes":[{"id":"big","kind":"draft.save","data":{"statement":"` + strings.Repeat("很", wire.MaxBodyBytes/3+10) + `"}}]}`

	for _, tc := range []struct {
		name, path, body string
		want             int
		says             string // part of the message
	}{
		{"malformed JSON", wire.PushPath, `{"changes": [`, 400, "JSON"},
		{"not JSON", wire.PushPath, `changes=1`, 400, "JSON"},
		{"empty body", wire.PushPath, ``, 400, "为空"},
		{"array instead of object", wire.PushPath, `[1,2]`, 400, "对象"},
		{"wrong type: changes", wire.PushPath, `{"changes":"all"}`, 400, "changes"},
		{"wrong type: change id", wire.PushPath, `{"changes":[{"id":7,"kind":"draft.save","data":{}}]}`, 400, "changes.id"},
		{"wrong type: made_at", wire.PushPath, `{"changes":[{"id":"x","kind":"draft.save","data":{},"made_at":"yesterday"}]}`, 400, "格式"},
		{"unknown field", wire.PushPath, `{"changes":[],"force":true}`, 400, "force"},
		{"unknown field in a change", wire.PushPath, `{"changes":[{"id":"x","kind":"draft.save","data":{},"user":"u-reviewer"}]}`, 400, "user"},
		{"trailing data", wire.PushPath, `{"changes":[]} {"changes":[]}`, 400, "多余"},
		{"trailing garbage", wire.PushPath, `{"changes":[]}xyz`, 400, "多余"},
		{"missing changes", wire.PushPath, `{}`, 400, "changes"},
		{"too many changes", wire.PushPath, string(tooMany), 413, "500"},
		{"oversized body", wire.PushPath, huge, 413, "MB"},
		{"login: wrong type", wire.LoginPath, `{"username":["rep-a"],"password":"x"}`, 400, "username"},
		{"login: unknown field", wire.LoginPath, `{"username":"rep-a","password":"x","remember":true}`, 400, "remember"},
		{"login: oversized", wire.LoginPath, `{"username":"` + strings.Repeat("a", wire.MaxBodyBytes) + `"}`, 413, "MB"},
		{"password: malformed", wire.PasswordPath, `{"old":`, 400, "JSON"},
	} {
		token := tok
		if tc.path == wire.LoginPath {
			token = ""
		}
		r := e.do(http.MethodPost, tc.path, token, tc.body)
		if r.status != tc.want {
			t.Errorf("%s: %d, want %d (%s)", tc.name, r.status, tc.want, r.body)
			continue
		}
		we := r.wireError(t)
		if we.Code != wire.CodeOf(tc.want) {
			t.Errorf("%s: code %s for status %d", tc.name, we.Code, tc.want)
		}
		if !strings.Contains(we.Message, tc.says) {
			t.Errorf("%s: message %q does not mention %q", tc.name, we.Message, tc.says)
		}
	}
	// Nothing of the refused pushes was applied.
	r := e.do(http.MethodGet, wire.ChangesPath+"?limit=10000", tok, nil)
	if bytes.Contains(r.body, []byte(`"big"`)) || bytes.Contains(r.body, []byte("很很很")) {
		t.Error("a refused push left data")
	}

	// Unknown paths and methods are JSON errors too.
	if r := e.do(http.MethodGet, "/api/v1/nothing", tok, nil); r.status != http.StatusNotFound {
		t.Errorf("unknown path: %d", r.status)
	} else {
		r.wireError(t)
	}
	if r := e.do(http.MethodDelete, wire.MePath, tok, nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("wrong method: %d", r.status)
	} else {
		r.wireError(t)
	}
}

func FuzzPushDecode(f *testing.F) {
	for _, s := range []string{
		`{"changes":[]}`,
		`{"changes":[{"id":"c-1","kind":"draft.save","data":{"task_id":"ind-1-1@unit-a","statement":"说明","attachments":[]},"made_at":"2026-03-02T10:00:00+08:00"}]}`,
		`{"changes":[{"id":"c-2","kind":"review.score","data":{"task_id":"t","version":1,"score":8.5,"comment":""}}]}`,
		`{"changes":[{"id":"x","kind":"year.publish","data":{"year_id":"2026"},"made_at":"0001-01-01T00:00:00Z"}]}`,
		`{"changes":null}`,
		`{"changes":[{"id":"\u202e","data":"str"}]}`,
		`{"changes":[]} trailing`,
		`[]`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		req, err := server.DecodePush(bytes.NewReader(in))
		if err != nil {
			if assess.ErrorCode(err) == assess.EInternal || !hasHan(assess.ErrorMessage(err)) {
				t.Fatalf("error without a code or a Chinese message: %v", err)
			}
			return
		}
		if req.Changes == nil || len(req.Changes) > wire.MaxPushChanges {
			t.Fatalf("accepted %d changes", len(req.Changes))
		}
		out, err := json.Marshal(req)
		if err != nil {
			t.Fatalf("accepted input does not re-encode: %v", err)
		}
		again, err := server.DecodePush(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-encoded input is refused: %v\n%s", err, out)
		}
		out2, err := json.Marshal(again)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("re-encoding is not stable:\n%s\n%s", out, out2)
		}
	})
}
