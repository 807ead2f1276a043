package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// LeadFilter selects leads; empty fields match everything.
type LeadFilter struct {
	YearID         string
	UnitID         string
	IndicatorID    string
	OnlyConsidered bool // only the leads taken into account (已纳入考核)
	id             string
}

func (f LeadFilter) match(l assess.Lead) bool {
	return (f.id == "" || l.ID == f.id) && (f.YearID == "" || l.YearID == f.YearID) &&
		(f.UnitID == "" || l.UnitID == f.UnitID) && (f.IndicatorID == "" || l.IndicatorID == f.IndicatorID) &&
		(!f.OnlyConsidered || l.Considered)
}

// MaxLeadCommentRunes bounds a reviewer's comment on a lead.
const MaxLeadCommentRunes = 2000

// leadsRef is the outbox ref of lead imports, which may span units and years.
const leadsRef = "leads"

// Leads returns the leads (督察线索) the filter selects, newest first, with
// waiting imports and decisions laid over the server's.
func (db *DB) Leads(ctx context.Context, f LeadFilter) ([]assess.Lead, error) {
	var out []assess.Lead
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = leads(ctx, tx, f)
		return err
	})
	return out, err
}

func leads(ctx context.Context, q querier, f LeadFilter) ([]assess.Lead, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, source, record_id, year_id, unit_id, date, summary, indicator_id, imported_by,
		imported_at, considered, deduction, comment, considered_by, considered_at FROM leads
		WHERE (?1 = '' OR id = ?1) AND (?2 = '' OR year_id = ?2) AND (?3 = '' OR unit_id = ?3) AND (?4 = '' OR indicator_id = ?4)`,
		f.id, f.YearID, f.UnitID, f.IndicatorID)
	if err != nil {
		return nil, fmt.Errorf("read leads: %w", err)
	}
	defer rows.Close()
	var ls []assess.Lead
	for rows.Next() {
		var l assess.Lead
		var src, date, imported, considered string
		if err := rows.Scan(&l.ID, &src, &l.RecordID, &l.YearID, &l.UnitID, &date, &l.Summary, &l.IndicatorID, &l.ImportedBy,
			&imported, &l.Considered, &l.Deduction, &l.Comment, &l.ConsideredBy, &considered); err != nil {
			return nil, fmt.Errorf("read leads: %w", err)
		}
		l.Source = assess.LeadSource(src)
		if l.Date, err = parseTime(date); err != nil {
			return nil, err
		}
		l.Date = l.Date.In(assess.CST)
		if l.ImportedAt, err = parseTime(imported); err != nil {
			return nil, err
		}
		if l.ConsideredAt, err = parseTime(considered); err != nil {
			return nil, err
		}
		ls = append(ls, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read leads: %w", err)
	}
	if ls, err = overlayLeads(ctx, q, ls); err != nil {
		return nil, err
	}
	out := ls[:0]
	for _, l := range ls {
		if f.match(l) {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Date.Equal(out[j].Date) {
			return out[i].Date.After(out[j].Date)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// overlayLeads lays the waiting imports and decisions over the server's
// leads, in the order they were made: an imported lead replaces the
// imported content of the lead with its ID and keeps the decision on it, as
// the server does; a decision changes the lead it names.
func overlayLeads(ctx context.Context, q querier, ls []assess.Lead) ([]assess.Lead, error) {
	rows, err := outboxWhere(ctx, q, "state = 'pending' AND kind IN (?, ?)", wire.KindLeadImport, wire.KindLeadConsider)
	if err != nil || len(rows) == 0 {
		return ls, err
	}
	at := map[string]int{}
	for i, l := range ls {
		at[l.ID] = i
	}
	codes := indicatorCodes{}
	for _, r := range rows {
		switch r.kind {
		case wire.KindLeadImport:
			var b wire.LeadBatch
			if err := json.Unmarshal([]byte(r.data), &b); err != nil {
				return nil, fmt.Errorf("read waiting %s %s: %w", r.kind, r.id, err)
			}
			for _, rec := range b.Leads {
				l, err := leadOf(ctx, q, rec, codes)
				if err != nil {
					continue // the server will refuse it; nothing to show
				}
				if i, ok := at[l.ID]; ok {
					old := ls[i]
					l.Considered, l.Deduction, l.Comment, l.ConsideredBy, l.ConsideredAt =
						old.Considered, old.Deduction, old.Comment, old.ConsideredBy, old.ConsideredAt
					l.ImportedBy, l.ImportedAt = old.ImportedBy, old.ImportedAt
					if !l.SameImport(old) {
						l.ImportedBy, l.ImportedAt = r.userID, r.madeAt
					}
					ls[i] = l
					continue
				}
				l.ImportedBy, l.ImportedAt = r.userID, r.madeAt
				ls = append(ls, l)
				at[l.ID] = len(ls) - 1
			}
		case wire.KindLeadConsider:
			var d wire.LeadDecision
			if err := json.Unmarshal([]byte(r.data), &d); err != nil {
				return nil, fmt.Errorf("read waiting %s %s: %w", r.kind, r.id, err)
			}
			if i, ok := at[d.LeadID]; ok {
				l := &ls[i]
				l.Considered, l.Deduction, l.Comment, l.ConsideredBy, l.ConsideredAt = d.Considered, d.Deduction, d.Comment, r.userID, r.madeAt
			}
		}
	}
	return ls, nil
}

// indicatorCodes caches, per year, the indicator ID of each code.
type indicatorCodes map[string]map[string]string

// lookup returns the ID of the indicator with the code in the year (the
// server's indicators with the waiting edits laid over them).
func (c indicatorCodes) lookup(ctx context.Context, q querier, yearID, code string) (string, bool, error) {
	m, ok := c[yearID]
	if !ok {
		ins, err := indicators(ctx, q, yearID)
		if err != nil {
			return "", false, err
		}
		if ins, err = overlay(ctx, q, wire.KindIndicatorSave, ins,
			func(in assess.Indicator) string { return in.ID },
			func(in assess.Indicator) bool { return in.YearID == yearID }); err != nil {
			return "", false, err
		}
		m = map[string]string{}
		for _, in := range ins {
			m[in.Code] = in.ID
		}
		c[yearID] = m
	}
	id, ok := m[code]
	return id, ok, nil
}

// ParseLeadDate reads a lead's date as the wire carries it, YYYY-MM-DD, as
// a day in China Standard Time.
func ParseLeadDate(s string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), assess.CST)
}

// leadOf converts a lead as another system sends it into the lead it
// becomes here, checking it as the server does; the error says what is
// wrong without naming the row.
func leadOf(ctx context.Context, q querier, rec wire.LeadRecord, codes indicatorCodes) (assess.Lead, error) {
	src := rec.Source
	if !src.Valid() {
		if s, ok := assess.ParseLeadSource(string(src)); ok {
			src = s
		}
	}
	l := assess.Lead{Source: src, RecordID: strings.TrimSpace(rec.RecordID), UnitID: strings.TrimSpace(rec.UnitID),
		Summary: strings.TrimSpace(rec.Summary), YearID: strings.TrimSpace(rec.YearID)}
	l.ID = assess.LeadID(l.Source, l.RecordID)
	if strings.TrimSpace(rec.Date) != "" {
		d, err := ParseLeadDate(rec.Date)
		if err != nil {
			return l, assess.Errorf(assess.EInvalid, "日期“%s”格式不正确，应为 年-月-日，例如 2026-03-15 (bad date, want YYYY-MM-DD)", rec.Date)
		}
		l.Date = d
	}
	if err := l.Validate(); err != nil {
		return l, err
	}
	if l.YearID == "" {
		l.YearID = strconv.Itoa(l.Date.Year())
	}
	y, ok, err := effectiveYear(ctx, q, l.YearID)
	if err != nil {
		return l, err
	}
	if !ok {
		return l, assess.Errorf(assess.EInvalid, "考核年度“%s”不存在，请核对日期或填写考核年度 (no such year)", l.YearID)
	}
	if err := y.CheckWritable(); err != nil {
		return l, err
	}
	if ok, err := unitExists(ctx, q, l.UnitID); err != nil {
		return l, err
	} else if !ok {
		return l, assess.Errorf(assess.EInvalid, "单位“%s”不存在，请核对单位编号 (no such unit)", l.UnitID)
	}
	if code := strings.TrimSpace(rec.IndicatorCode); code != "" {
		id, ok, err := codes.lookup(ctx, q, l.YearID, code)
		if err != nil {
			return l, err
		}
		if !ok {
			return l, assess.Errorf(assess.EInvalid, "%s考核年度没有编号为“%s”的指标，请核对指标编号或留空 (no such indicator code)", l.YearID, code)
		}
		l.IndicatorID = id
	}
	return l, nil
}

// ImportLeads queues the import of a batch of leads (reviewers), as the
// reviewer's Excel import does. Every lead is checked first, as the server
// checks it: a known source (code or Chinese name), a record ID, a date in
// the form YYYY-MM-DD, a summary, a unit that exists, a year that exists and
// is not closed (by default the one named by the date's year) and the
// indicator code, when given, in that year; the same source and record ID
// twice in the batch is refused too. On any error nothing is queued and the
// error names the lead (第 N 条, counted from 1) and what to fix. The checked
// batch is queued in parts of at most wire.MaxLeadBatch leads, each lead
// with its year filled in.
func (db *DB) ImportLeads(ctx context.Context, batch wire.LeadBatch) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := db.importLeadsTx(ctx, tx, batch)
		return err
	})
}

func (db *DB) importLeadsTx(ctx context.Context, tx *sql.Tx, batch wire.LeadBatch) (string, error) {
	u, known, err := actor(ctx, tx)
	if err != nil {
		return "", err
	}
	if err := checkReviewer(u, known); err != nil {
		return "", err
	}
	if len(batch.Leads) == 0 {
		return "", assess.Errorf(assess.EInvalid, "没有要导入的线索 (no leads to import)")
	}
	codes := indicatorCodes{}
	first := map[string]int{}
	recs := make([]wire.LeadRecord, len(batch.Leads))
	for i, rec := range batch.Leads {
		l, err := leadOf(ctx, tx, rec, codes)
		if err != nil {
			return "", leadRowError(i, rec.RecordID, err)
		}
		if j, dup := first[l.ID]; dup {
			return "", assess.Errorf(assess.EInvalid, "第 %d 条线索与第 %d 条线索的来源和记录编号（%s）相同，请删去重复的一条；整批没有导入 (lead %d repeats lead %d; nothing imported)",
				i+1, j+1, l.RecordID, i+1, j+1)
		}
		first[l.ID] = i
		recs[i] = wire.LeadRecord{Source: l.Source, RecordID: l.RecordID, UnitID: l.UnitID, Date: l.Date.Format(time.DateOnly),
			Summary: l.Summary, IndicatorCode: strings.TrimSpace(rec.IndicatorCode), YearID: l.YearID}
	}
	var id string
	for len(recs) > 0 {
		n := min(len(recs), wire.MaxLeadBatch)
		if id, err = db.queue(ctx, tx, wire.KindLeadImport, leadsRef, wire.LeadBatch{Leads: recs[:n]}); err != nil {
			return "", err
		}
		recs = recs[n:]
	}
	return id, nil
}

// leadRowError names the lead of a batch (i counted from 0) that failed and
// says that nothing was imported.
func leadRowError(i int, recordID string, err error) error {
	code, msg := assess.ErrorCode(err), assess.ErrorMessage(err)
	if code == assess.EInternal {
		return fmt.Errorf("lead %d (%s): %w", i+1, recordID, err)
	}
	rid := strings.TrimSpace(recordID)
	if rid == "" {
		rid = "未填写"
	}
	return assess.Errorf(code, "第 %d 条线索（记录编号 %s）：%s；整批没有导入 (lead %d refused; nothing imported)", i+1, rid, msg, i+1)
}

// ConsiderLead queues a reviewer's decision on a lead: taken into account
// (已纳入考核) with a deduction from the unit's system score, or that
// withdrawn (Considered false, the deduction is then 0).
func (db *DB) ConsiderLead(ctx context.Context, d wire.LeadDecision) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := db.considerLeadTx(ctx, tx, d)
		return err
	})
}

func (db *DB) considerLeadTx(ctx context.Context, tx *sql.Tx, d wire.LeadDecision) (string, error) {
	u, known, err := actor(ctx, tx)
	if err != nil {
		return "", err
	}
	if err := checkReviewer(u, known); err != nil {
		return "", err
	}
	if !d.Considered {
		d.Deduction = 0
	}
	if err := assess.ValidateDeduction(d.Deduction); err != nil {
		return "", err
	}
	if !utf8.ValidString(d.Comment) || strings.ContainsRune(d.Comment, 0) {
		return "", assess.Errorf(assess.EInvalid, "意见含有无效字符 (comment contains invalid characters)")
	}
	if utf8.RuneCountInString(d.Comment) > MaxLeadCommentRunes {
		return "", assess.Errorf(assess.EInvalid, "意见不能超过 %d 字 (comment too long)", MaxLeadCommentRunes)
	}
	ls, err := leads(ctx, tx, LeadFilter{id: d.LeadID})
	if err != nil {
		return "", err
	}
	if d.LeadID == "" || len(ls) == 0 {
		return "", assess.Errorf(assess.ENotFound, "没有找到该线索，请先同步后再试 (lead %s not found)", d.LeadID)
	}
	if err := yearWritable(ctx, tx, ls[0].YearID); err != nil {
		return "", err
	}
	return db.queue(ctx, tx, wire.KindLeadConsider, d.LeadID, d)
}
