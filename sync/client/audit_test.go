package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// TestAuditLog downloads the server's audit log for a period, in pages, and
// compares it with what the server's store holds.
func TestAuditLog(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2026, 3, d, 15, 30, 0, 0, assess.CST) }
	for _, d := range []struct {
		day       int
		statement string
	}{{3, "已公布权责清单。"}, {4, "已动态调整。"}} {
		c.now = day(d.day)
		c.push(accounts["rep-a"].user, change(wire.KindDraftSave, wire.DraftSave{TaskID: taskA, Statement: d.statement, Attachments: []assess.Attachment{}}))
	}
	c.push(accounts["reviewer"].user, change(wire.KindGroupSave, assess.Group{ID: "dept", Name: "市直部门"}))

	api, err := client.New(c.http.URL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.Login(ctx, "reviewer", accounts["reviewer"].password); err != nil {
		t.Fatal(err)
	}
	var none time.Time
	stored := func(from, to time.Time) []wire.AuditEvent {
		t.Helper()
		es, err := c.store.AuditEvents(ctx, from, to, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	midnight := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, assess.CST) }
	for _, tt := range []struct {
		name       string
		from, to   time.Time
		pageSize   int
		want       []wire.AuditEvent
		wantLength int
	}{
		{"everything in one page", none, none, 0, stored(none, none), 0},
		{"everything in pages of 2", none, none, 2, stored(none, none), 0},
		{"the 3rd", day(3), day(3), 1, stored(midnight(3), midnight(4)), 1},
		{"from the 3rd, a time of day ignored", day(3).Add(8 * time.Hour), none, 1, stored(midnight(3), none), 3},
		{"up to the 2nd", none, day(2), 3, stored(none, midnight(3)), 0},
		{"a day with nothing", day(10), day(12), 0, nil, 0},
	} {
		got, err := api.AuditLog(ctx, tt.from, tt.to, tt.pageSize)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(got) != len(tt.want) || tt.wantLength > 0 && len(got) != tt.wantLength {
			t.Fatalf("%s: %d events, want %d", tt.name, len(got), len(tt.want))
		}
		for i := range got {
			g, w := got[i], tt.want[i]
			if g.Seq != w.Seq || g.Hash != w.Hash || g.Prev != w.Prev || !g.Time.Equal(w.Time) || string(g.Data) != string(w.Data) ||
				g.Actor != w.Actor || g.ActorName != w.ActorName || g.Action != w.Action || g.Subject != w.Subject {
				t.Fatalf("%s: event %d is %+v, the store has %+v", tt.name, i, g, w)
			}
		}
	}
	all := stored(none, none)
	if len(all) < 10 || all[len(all)-1].Action != wire.KindGroupSave || all[len(all)-1].ActorName != "市依法治市办审核员" {
		t.Fatalf("the store's chain: %d events, last %+v", len(all), all[len(all)-1])
	}

	// A reporting user may not read the audit log.
	rep, _ := client.New(c.http.URL, client.Options{})
	if _, err := rep.Login(ctx, "rep-a", accounts["rep-a"].password); err != nil {
		t.Fatal(err)
	}
	if _, err := rep.AuditLog(ctx, none, none, 0); assess.ErrorCode(err) != assess.EForbidden {
		t.Errorf("a reporter's download: %v, want forbidden", err)
	}
}

// TestAuditEventsQuery checks what AuditEvents puts on the wire: days in
// China Standard Time, the cursor and the page size.
func TestAuditEventsQuery(t *testing.T) {
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"events":[],"next":7,"more":false}`))
	}))
	defer srv.Close()
	api, err := client.New(srv.URL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// 23:30 UTC on 28 February is 1 March in China.
	page, err := api.AuditEvents(context.Background(), time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC), time.Date(2026, 3, 31, 12, 0, 0, 0, assess.CST), 7, 500)
	if err != nil || page.Next != 7 {
		t.Fatalf("page %+v, %v", page, err)
	}
	want := url.Values{"from": {"2026-03-01"}, "to": {"2026-03-31"}, "after": {"7"}, "limit": {"500"}}
	if got.Encode() != want.Encode() {
		t.Errorf("query %s, want %s", got.Encode(), want.Encode())
	}
	if _, err := api.AuditEvents(context.Background(), time.Time{}, time.Time{}, 0, 0); err != nil {
		t.Fatal(err)
	}
	if want := (url.Values{"after": {"0"}}); got.Encode() != want.Encode() {
		t.Errorf("open query %s, want %s", got.Encode(), want.Encode())
	}
}
