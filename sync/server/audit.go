package server

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// handleAudit walks the whole audit chain and reports whether every link
// holds; a broken chain is still a 200 answer whose report says why.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	report, err := s.store.VerifyAudit(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, report)
}

// handleAuditEvents answers a page of the audit log of a period, for
// reviewers to download: from and to are days (YYYY-MM-DD, China Standard
// Time), to included, either left out for an open end; after and limit page
// by sequence as in the change feed.
func (s *Server) handleAuditEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, err := auditPeriod(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	after, limit, err := pageQuery(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	events, err := s.store.AuditEvents(r.Context(), from, to, after, limit+1)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page := wire.AuditEventsResponse{Events: events, Next: after}
	if len(page.Events) > limit {
		page.Events, page.More = page.Events[:limit], true
	}
	if n := len(page.Events); n > 0 {
		page.Next = page.Events[n-1].Seq
	}
	if page.Events == nil {
		page.Events = []wire.AuditEvent{}
	}
	writeJSON(w, http.StatusOK, page)
}

// auditPeriod reads the from and to days of an audit query as the instants
// [start of from, end of to) in China Standard Time; a missing day is a
// zero (open) bound.
func auditPeriod(q url.Values) (from, to time.Time, err error) {
	day := func(name string) (time.Time, error) {
		v := q.Get(name)
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, v, assess.CST)
		if err != nil {
			return time.Time{}, assess.Errorf(assess.EInvalid, "参数 %s 应为日期，写作 2026-03-01，收到“%s” (%s must be a date YYYY-MM-DD)",
				name, sanitize(strings.ToValidUTF8(v, "?")), name)
		}
		return t, nil
	}
	if from, err = day("from"); err != nil {
		return
	}
	if to, err = day("to"); err != nil {
		return
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1)
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		err = assess.Errorf(assess.EInvalid, "起始日期 from 不能晚于截止日期 to (from is after to)")
	}
	return
}
