package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// importLeads posts a batch as the token's user and decodes a 200 answer.
func (e *env) importLeads(token string, body any) (wire.LeadImportResponse, response) {
	e.t.Helper()
	r := e.do(http.MethodPost, wire.LeadsPath, token, body)
	var out wire.LeadImportResponse
	if r.status == http.StatusOK {
		r.decode(e.t, &out)
	}
	return out, r
}

// feedLeads returns the leads in the reviewer's change feed, by ID.
func (e *env) feedLeads() map[string]assess.Lead {
	e.t.Helper()
	r := e.do(http.MethodGet, wire.ChangesPath+"?limit=10000", e.token("reviewer"), nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("changes: %d %s", r.status, r.body)
	}
	var cr wire.ChangesResponse
	r.decode(e.t, &cr)
	out := map[string]assess.Lead{}
	for _, en := range cr.Entries {
		if en.Entity != wire.EntityLead {
			continue
		}
		var l assess.Lead
		if err := json.Unmarshal(en.Data, &l); err != nil {
			e.t.Fatal(err)
		}
		out[en.ID] = l
	}
	return out
}

// leadImportEvents counts the lead.import events of the audit log.
func (e *env) leadImportEvents() int {
	e.t.Helper()
	r := e.do(http.MethodGet, wire.AuditEventsPath+"?limit=10000", e.token("reviewer"), nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("audit events: %d %s", r.status, r.body)
	}
	var page wire.AuditEventsResponse
	r.decode(e.t, &page)
	n := 0
	for _, ev := range page.Events {
		if ev.Action == wire.KindLeadImport {
			n++
		}
	}
	return n
}

func statuses(resp wire.LeadImportResponse) string {
	var s []string
	for _, r := range resp.Results {
		s = append(s, r.ID+"="+r.Status)
	}
	return strings.Join(s, " ")
}

func TestLeadImport(t *testing.T) {
	e := newEnv(t)
	svc := e.token("svc")
	batch := wire.LeadBatch{Leads: []wire.LeadRecord{
		{Source: assess.LeadHotline, RecordID: "12345-0001", UnitID: unitA, Date: "2026-02-10", Summary: "市民反映甲区某窗口办事推诿。", IndicatorCode: "1.1"},
		{Source: assess.LeadLitigation, RecordID: "XZSS-7", UnitID: unitB, Date: "2026-02-20", Summary: "乙区某局行政处罚被判决撤销。"},
	}}

	// First time: both created, in order, and stored with the service
	// account as the importer.
	resp, r := e.importLeads(svc, batch)
	if r.status != http.StatusOK {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	if resp.Created != 2 || resp.Updated != 0 || resp.Unchanged != 0 ||
		statuses(resp) != "hotline:12345-0001=created litigation:XZSS-7=created" || resp.Results[1].RecordID != "XZSS-7" {
		t.Fatalf("first import: %+v", resp)
	}
	leads := e.feedLeads()
	hot := leads["hotline:12345-0001"]
	if len(leads) != 2 || hot.UnitID != unitA || hot.YearID != yearID || hot.IndicatorID != "ind-1-1" || hot.ImportedBy != "u-svc" ||
		!hot.Date.Equal(time.Date(2026, 2, 10, 0, 0, 0, 0, assess.CST)) {
		t.Fatalf("stored leads: %+v", leads)
	}
	if n := e.leadImportEvents(); n != 1 {
		t.Errorf("%d lead.import audit events after the first import, want 1", n)
	}

	// The same batch again: nothing changes, nothing is audited.
	resp, r = e.importLeads(svc, batch)
	if r.status != http.StatusOK || resp.Unchanged != 2 || resp.Created+resp.Updated != 0 ||
		statuses(resp) != "hotline:12345-0001=unchanged litigation:XZSS-7=unchanged" {
		t.Fatalf("same batch again: %d %+v %s", r.status, resp, r.body)
	}
	if n := e.leadImportEvents(); n != 1 {
		t.Errorf("%d lead.import audit events after an unchanged import, want 1", n)
	}

	// One lead corrected by its system: updated, the other unchanged.
	batch.Leads[1].Summary = "乙区某局行政处罚因程序违法被判决撤销。"
	resp, r = e.importLeads(svc, batch)
	if r.status != http.StatusOK || resp.Updated != 1 || resp.Unchanged != 1 || resp.Created != 0 {
		t.Fatalf("corrected batch: %d %+v", r.status, resp)
	}
	if got := e.feedLeads()["litigation:XZSS-7"].Summary; got != batch.Leads[1].Summary {
		t.Errorf("summary after the correction: %q", got)
	}

	// A batch with a lead for an unknown unit is refused whole, naming the
	// lead: the valid new lead before it is not stored either.
	bad := wire.LeadBatch{Leads: []wire.LeadRecord{
		{Source: assess.LeadPetition, RecordID: "XF-1", UnitID: unitA, Date: "2026-02-11", Summary: "来信反映甲区拆迁程序问题。"},
		{Source: assess.LeadPetition, RecordID: "XF-2", UnitID: "no-such-unit", Date: "2026-02-12", Summary: "来信反映某单位问题。"},
	}}
	_, r = e.importLeads(svc, bad)
	if r.status != http.StatusBadRequest {
		t.Fatalf("unknown unit: %d %s", r.status, r.body)
	}
	we := r.wireError(t)
	if we.Code != assess.EInvalid || !strings.Contains(we.Message, "第 2 条线索") || !strings.Contains(we.Message, "XF-2") ||
		!strings.Contains(we.Message, "单位“no-such-unit”不存在") {
		t.Errorf("unknown unit: %+v", we)
	}
	if leads := e.feedLeads(); len(leads) != 2 {
		t.Errorf("after a refused batch the server holds %d leads, want 2", len(leads))
	}

	// Reviewers may import through the API too; reporters may not.
	resp, r = e.importLeads(e.token("reviewer"), wire.LeadBatch{Leads: bad.Leads[:1]})
	if r.status != http.StatusOK || resp.Created != 1 {
		t.Errorf("reviewer import: %d %s", r.status, r.body)
	}
	_, r = e.importLeads(e.token("rep-a"), batch)
	if r.status != http.StatusForbidden {
		t.Errorf("reporter import: %d, want 403", r.status)
	} else if we := r.wireError(t); !strings.Contains(we.Message, "导入督察线索") {
		t.Errorf("reporter import: %+v", we)
	}
	if n := e.leadImportEvents(); n != 3 {
		t.Errorf("%d lead.import audit events, want 3 (created, corrected, reviewer's)", n)
	}
}

func TestLeadImportRefusals(t *testing.T) {
	e := newEnv(t)
	svc := e.token("svc")
	lead := func(mod func(*wire.LeadRecord)) string {
		l := wire.LeadRecord{Source: assess.LeadHotline, RecordID: "h-1", UnitID: unitA, Date: "2026-02-10", Summary: "市民投诉。"}
		mod(&l)
		b, _ := json.Marshal(wire.LeadBatch{Leads: []wire.LeadRecord{l}})
		return string(b)
	}
	many := make([]wire.LeadRecord, wire.MaxLeadBatch+1)
	for i := range many {
		many[i] = wire.LeadRecord{Source: assess.LeadHotline, RecordID: fmt.Sprint("m-", i), UnitID: unitA, Date: "2026-02-10", Summary: "投诉"}
	}
	tooMany, _ := json.Marshal(wire.LeadBatch{Leads: many})
	huge := `{"leads":[{"source":"hotline","record_id":"big","unit_id":"unit-a","date":"2026-02-10","summary":"` +
		strings.Repeat("很", wire.MaxBodyBytes/3+10) + `"}]}`

	for _, tc := range []struct {
		name, body string
		want       int
		says       string
	}{
		{"malformed JSON", `{"leads": [`, 400, "JSON"},
		{"not JSON", `leads=1`, 400, "JSON"},
		{"empty body", ``, 400, "为空"},
		{"missing leads", `{}`, 400, "leads"},
		{"null leads", `{"leads":null}`, 400, "leads"},
		{"empty batch", `{"leads":[]}`, 400, "没有"},
		{"unknown field", `{"leads":[],"dry_run":true}`, 400, "dry_run"},
		{"unknown lead field", `{"leads":[{"source":"hotline","unit":"unit-a"}]}`, 400, "unit"},
		{"wrong type", `{"leads":[{"source":"hotline","record_id":7}]}`, 400, "record_id"},
		{"trailing data", `{"leads":[]} {}`, 400, "多余"},
		{"too many leads", string(tooMany), 413, "1000"},
		{"oversized body", huge, 413, "MB"},
		{"unknown source", lead(func(l *wire.LeadRecord) { l.Source = "weibo" }), 400, "来源"},
		{"bad date", lead(func(l *wire.LeadRecord) { l.Date = "2026/02/10" }), 400, "YYYY-MM-DD"},
		{"no summary", lead(func(l *wire.LeadRecord) { l.Summary = " " }), 400, "摘要"},
		{"no record ID", lead(func(l *wire.LeadRecord) { l.RecordID = "" }), 400, "记录编号"},
		{"unknown year", lead(func(l *wire.LeadRecord) { l.Date = "2031-01-05" }), 400, "2031"},
		{"unknown indicator", lead(func(l *wire.LeadRecord) { l.IndicatorCode = "9.9" }), 400, "9.9"},
	} {
		_, r := e.importLeads(svc, tc.body)
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
	// The same lead twice in one batch is refused, naming both rows.
	l := wire.LeadRecord{Source: assess.LeadHotline, RecordID: "h-1", UnitID: unitA, Date: "2026-02-10", Summary: "市民投诉。"}
	_, r := e.importLeads(svc, wire.LeadBatch{Leads: []wire.LeadRecord{l, l}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.wireError(t).Message, "第 2 条") {
		t.Errorf("a lead twice: %d %s", r.status, r.body)
	}
	if leads := e.feedLeads(); len(leads) != 0 {
		t.Errorf("refused batches left %d leads", len(leads))
	}

	// A closed year takes no more leads.
	if r := e.push(e.token("reviewer"), change("close", wire.KindYearClose, wire.YearRef{YearID: yearID})); r.status != http.StatusOK ||
		!bytes.Contains(r.body, []byte(wire.Applied)) {
		t.Fatalf("close the year: %d %s", r.status, r.body)
	}
	_, r = e.importLeads(svc, wire.LeadBatch{Leads: []wire.LeadRecord{l}})
	if r.status != http.StatusConflict {
		t.Fatalf("closed year: %d %s", r.status, r.body)
	}
	if we := r.wireError(t); we.Code != assess.EClosed || !strings.Contains(we.Message, "第 1 条线索") || !strings.Contains(we.Message, "已关闭") {
		t.Errorf("closed year: %+v", we)
	}
}

func TestIssueServiceToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const ttl = 30 * 24 * time.Hour
	tok, sess, err := server.IssueServiceToken(ctx, e.store, "svc", e.clock.Now(), ttl)
	if err != nil {
		t.Fatal(err)
	}
	e.secrets = append(e.secrets, tok)
	if sess.UserID != "u-svc" || !sess.ExpiresAt.Equal(e.clock.Now().Add(ttl)) || sess.TokenHash == "" || strings.Contains(sess.TokenHash, tok) {
		t.Errorf("session %+v", sess)
	}
	// The token works as a bearer token for the service account.
	r := e.do(http.MethodGet, wire.MePath, tok, nil)
	var me assess.User
	if r.status != http.StatusOK {
		t.Fatalf("me with the token: %d %s", r.status, r.body)
	}
	r.decode(t, &me)
	if me.ID != "u-svc" {
		t.Errorf("me: %+v", me)
	}
	if _, r := e.importLeads(tok, wire.LeadBatch{Leads: []wire.LeadRecord{
		{Source: assess.LeadProposal, RecordID: "JY-1", UnitID: unitB, Date: "2026-02-01", Summary: "代表建议办理不及时。"},
	}}); r.status != http.StatusOK {
		t.Errorf("import with the token: %d %s", r.status, r.body)
	}
	// It lasts its whole life, and not a moment more.
	e.clock.Advance(ttl - time.Second)
	if r := e.do(http.MethodGet, wire.MePath, tok, nil); r.status != http.StatusOK {
		t.Errorf("a second before expiry: %d", r.status)
	}
	e.clock.Advance(2 * time.Second)
	if r := e.do(http.MethodGet, wire.MePath, tok, nil); r.status != http.StatusUnauthorized {
		t.Errorf("after expiry: %d", r.status)
	}

	// Only service accounts get one, only enabled ones, within 10 years.
	for _, tc := range []struct {
		username string
		ttl      time.Duration
		code     string
		says     string
	}{
		{"rep-a", ttl, assess.EInvalid, "接口账号"},
		{"reviewer", ttl, assess.EInvalid, "审核"},
		{"nobody", ttl, assess.ENotFound, ""},
		{"svc", 0, assess.EInvalid, "有效期"},
		{"svc", server.MaxServiceTokenTTL + time.Hour, assess.EInvalid, "有效期"},
	} {
		_, _, err := server.IssueServiceToken(ctx, e.store, tc.username, e.clock.Now(), tc.ttl)
		if assess.ErrorCode(err) != tc.code || !hasHan(assess.ErrorMessage(err)) || !strings.Contains(assess.ErrorMessage(err), tc.says) {
			t.Errorf("token for %s (%v): %v, want %s mentioning %q", tc.username, tc.ttl, err, tc.code, tc.says)
		}
	}
	// Disabling the account ends the token and refuses new ones.
	tok2, _, err := server.IssueServiceToken(ctx, e.store, "svc", e.clock.Now(), ttl)
	if err != nil {
		t.Fatal(err)
	}
	e.secrets = append(e.secrets, tok2)
	if err := e.store.SetDisabled(ctx, "u-svc", true); err != nil {
		t.Fatal(err)
	}
	if r := e.do(http.MethodPost, wire.LeadsPath, tok2, `{"leads":[]}`); r.status != http.StatusUnauthorized {
		t.Errorf("token of a disabled account: %d", r.status)
	}
	if _, _, err := server.IssueServiceToken(ctx, e.store, "svc", e.clock.Now(), ttl); err == nil || !hasHan(assess.ErrorMessage(err)) {
		t.Errorf("token for a disabled account: %v", err)
	}
}

func FuzzLeadBatchDecode(f *testing.F) {
	for _, s := range []string{
		`{"leads":[]}`,
		`{"leads":[{"source":"hotline","record_id":"12345-1","unit_id":"dongcheng","date":"2026-03-01","summary":"投诉"}]}`,
		`{"leads":[{"source":"信访","record_id":"x","unit_id":"u","date":"2026-3-1","summary":"s","indicator_code":"1.1","year_id":"2026"}]}`,
		`{"leads":null}`,
		`{"leads":[{"record_id":"\u202e"}]}`,
		`{"leads":[]} trailing`,
		`[]`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		batch, err := server.DecodeLeadBatch(bytes.NewReader(in))
		if err != nil {
			if assess.ErrorCode(err) == assess.EInternal || !hasHan(assess.ErrorMessage(err)) {
				t.Fatalf("error without a code or a Chinese message: %v", err)
			}
			return
		}
		if batch.Leads == nil || len(batch.Leads) > wire.MaxLeadBatch {
			t.Fatalf("accepted %d leads", len(batch.Leads))
		}
		out, err := json.Marshal(batch)
		if err != nil {
			t.Fatalf("accepted input does not re-encode: %v", err)
		}
		again, err := server.DecodeLeadBatch(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-encoded input is refused: %v\n%s", err, out)
		}
		out2, err := json.Marshal(again)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("re-encoding is not stable:\n%s\n%s", out, out2)
		}
	})
}
