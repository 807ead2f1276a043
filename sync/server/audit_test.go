package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// TestAuditEvents downloads the audit log over HTTP by period and in pages
// and checks it against the store's own chain.
func TestAuditEvents(t *testing.T) {
	e := newEnv(t)
	e.clock.Advance(24 * time.Hour) // Tuesday 3 March; sessions last 12 hours
	file := pdf(3000, 7)
	hash := e.upload("rep-a", "权责清单.pdf", file)
	draft := func(id, statement string) {
		t.Helper()
		r := e.push(e.login("rep-a"), change(id, wire.KindDraftSave, wire.DraftSave{TaskID: taskA, Statement: statement,
			Attachments: []assess.Attachment{{Hash: hash, Name: "权责清单.pdf", Size: int64(len(file))}}}))
		var pr wire.PushResponse
		r.decode(t, &pr)
		if r.status != http.StatusOK || len(pr.Results) != 1 || pr.Results[0].Status != wire.Applied {
			t.Fatalf("draft %s: %d %s", id, r.status, r.body)
		}
	}
	draft("draft-1", "已公布权责清单。")
	e.clock.Advance(24 * time.Hour) // Wednesday 4 March
	draft("draft-2", "已公布权责清单并动态调整。")
	rev := e.login("reviewer")

	all, err := e.store.AuditEvents(context.Background(), time.Time{}, time.Time{}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.store.VerifyAudit(context.Background())
	if err != nil || !rep.OK || int64(len(all)) != rep.Events || all[len(all)-1].Hash != rep.Head {
		t.Fatalf("store: %d events, report %+v, %v", len(all), rep, err)
	}
	get := func(query string) wire.AuditEventsResponse {
		t.Helper()
		r := e.do(http.MethodGet, wire.AuditEventsPath+"?"+query, rev, nil)
		if r.status != http.StatusOK {
			t.Fatalf("?%s: %d %s", query, r.status, r.body)
		}
		for _, secret := range []string{"$argon2id$", "password_hash", rev} {
			if strings.Contains(string(r.body), secret) {
				t.Fatalf("?%s: the answer holds a secret (%.10s…)", query, secret)
			}
		}
		var page wire.AuditEventsResponse
		r.decode(t, &page)
		if page.Events == nil {
			t.Fatalf("?%s: events is null, want an array", query)
		}
		return page
	}
	// Everything, in pages of 4.
	var got []wire.AuditEvent
	after := int64(0)
	for pages := 0; ; pages++ {
		if pages > len(all) {
			t.Fatal("the pages never end")
		}
		page := get("limit=4&after=" + strconv.FormatInt(after, 10))
		if len(page.Events) > 4 {
			t.Fatalf("a page of %d events, limit 4", len(page.Events))
		}
		want := after
		if n := len(page.Events); n > 0 {
			want = page.Events[n-1].Seq
		}
		if page.Next != want {
			t.Fatalf("next = %d, want %d", page.Next, want)
		}
		got = append(got, page.Events...)
		after = page.Next
		if !page.More {
			break
		}
	}
	if !sameEvents(got, all) {
		t.Fatalf("paged download: %v, the store holds %v", eventSeqs(got), eventSeqs(all))
	}
	if page := get(""); page.More || !sameEvents(page.Events, all) {
		t.Errorf("default page: more %v, %v", page.More, eventSeqs(page.Events))
	}
	var actors []string
	for _, ev := range all {
		if ev.ActorName != "" {
			actors = append(actors, ev.ActorName)
		}
	}
	if s := strings.Join(actors, " "); !strings.Contains(s, "市依法治市办审核员") || !strings.Contains(s, "甲区填报员") {
		t.Errorf("actor names %q", s)
	}

	// Periods by day, China Standard Time, the last day included.
	on := func(days ...int) []wire.AuditEvent {
		var out []wire.AuditEvent
		for _, ev := range all {
			for _, d := range days {
				if ev.Time.In(assess.CST).Day() == d {
					out = append(out, ev)
				}
			}
		}
		return out
	}
	for _, tt := range []struct {
		query string
		want  []wire.AuditEvent
	}{
		{"from=2026-03-02&to=2026-03-02", on(2)},
		{"from=2026-03-03&to=2026-03-03", on(3)},
		{"from=2026-03-03", on(3, 4)},
		{"to=2026-03-03", on(2, 3)},
		{"from=2026-03-05", nil},
		{"to=2026-03-01", nil},
		{"from=2026-03-03&to=2026-03-04&limit=1&after=" + strconv.FormatInt(on(3)[0].Seq, 10), on(3)[1:2]},
	} {
		page := get(tt.query)
		if !sameEvents(page.Events, tt.want) {
			t.Errorf("?%s: %v, want %v", tt.query, eventSeqs(page.Events), eventSeqs(tt.want))
		}
	}
	if len(on(2)) == 0 || len(on(3)) < 2 || len(on(4)) == 0 {
		t.Fatalf("events by day: %d, %d, %d", len(on(2)), len(on(3)), len(on(4)))
	}

	// Malformed queries are refused with a reason.
	for _, q := range []string{
		"from=2026/03/01", "to=20260301", "from=2026-02-30", "from=2026-03-05&to=2026-03-01",
		"after=-1", "after=x", "limit=0", "limit=ten",
	} {
		r := e.do(http.MethodGet, wire.AuditEventsPath+"?"+q, rev, nil)
		if r.status != http.StatusBadRequest {
			t.Errorf("?%s: %d, want 400", q, r.status)
			continue
		}
		if we := r.wireError(t); we.Code != assess.EInvalid {
			t.Errorf("?%s: code %s", q, we.Code)
		}
	}
}

// FuzzAuditEventsQuery sends random periods and paging parameters: each is
// answered with a well-formed page within its bounds or refused as invalid.
func FuzzAuditEventsQuery(f *testing.F) {
	e := newEnv(f)
	tok := e.token("reviewer")
	for _, s := range [][4]string{
		{"2026-03-01", "2026-03-31", "0", "50"},
		{"", "", "", ""},
		{"2026-03-02", "", "3", "1"},
		{"0001-01-01", "9999-12-31", "9223372036854775807", "100000"},
		{"2026-3-1", "昨天", "-1", "0"},
		{"\x00", "2026-03-02\u202e", "1e3", " 5"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, from, to, after, limit string) {
		q := url.Values{}
		for k, v := range map[string]string{"from": from, "to": to, "after": after, "limit": limit} {
			if v != "" {
				q.Set(k, v)
			}
		}
		req, err := http.NewRequest(http.MethodGet, e.http.URL+wire.AuditEventsPath+"?"+q.Encode(), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := e.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		switch resp.StatusCode {
		case http.StatusOK:
			var page wire.AuditEventsResponse
			if err := json.Unmarshal(body, &page); err != nil || page.Events == nil {
				t.Fatalf("200 with %q: %v", body, err)
			}
			min, _ := strconv.ParseInt(after, 10, 64)
			size, err := strconv.Atoi(limit)
			if err != nil {
				size = wire.DefaultPageSize
			}
			if len(page.Events) > size {
				t.Fatalf("%d events, limit %d", len(page.Events), size)
			}
			for _, ev := range page.Events {
				if ev.Seq <= min {
					t.Fatalf("event %d, asked for those after %d", ev.Seq, min)
				}
				min = ev.Seq
			}
		case http.StatusBadRequest:
			var we wire.Error
			if err := json.Unmarshal(body, &we); err != nil || we.Code != assess.EInvalid || !hasHan(we.Message) {
				t.Fatalf("400 with %q", body)
			}
		default:
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	})
}

func sameEvents(a, b []wire.AuditEvent) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Seq != y.Seq || !x.Time.Equal(y.Time) || x.Actor != y.Actor || x.ActorName != y.ActorName || x.Action != y.Action ||
			x.Subject != y.Subject || string(x.Data) != string(y.Data) || x.Prev != y.Prev || x.Hash != y.Hash {
			return false
		}
	}
	return true
}

func eventSeqs(es []wire.AuditEvent) []int64 {
	out := make([]int64, len(es))
	for i, ev := range es {
		out[i] = ev.Seq
	}
	return out
}
