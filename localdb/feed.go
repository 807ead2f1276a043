package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

const cursorKey = "cursor"

// Cursor returns the feed sequence pulled so far, 0 before the first pull.
func (db *DB) Cursor(ctx context.Context) (int64, error) {
	return readCursor(ctx, db.r)
}

func readCursor(ctx context.Context, q querier) (int64, error) {
	var s string
	err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", cursorKey).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read cursor: %w", err)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read cursor %q: %w", s, err)
	}
	return n, nil
}

// ApplyPage stores a page of feed entries and its Next cursor in one
// transaction: either every entry is applied and the cursor moves, or
// nothing changes. Entries at or before the stored cursor were applied
// already (or superseded by later ones) and are skipped, and the cursor
// never moves back, so applying the same page twice is harmless. Entries of
// an entity kind this version does not know are skipped.
func (db *DB) ApplyPage(ctx context.Context, page wire.ChangesResponse) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		cur, err := readCursor(ctx, tx)
		if err != nil {
			return err
		}
		a := &applier{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}}
		defer a.close()
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM drafts)").Scan(&a.hasDrafts); err != nil {
			return fmt.Errorf("apply page: %w", err)
		}
		for i, e := range page.Entries {
			if e.Seq > 0 && e.Seq <= cur {
				continue
			}
			if err := a.apply(e); err != nil {
				return fmt.Errorf("apply feed entry %d (%s %q, seq %d): %w", i, e.Entity, e.ID, e.Seq, err)
			}
		}
		next := max(page.Next, cur)
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, cursorKey, strconv.FormatInt(next, 10)); err != nil {
			return fmt.Errorf("store cursor: %w", err)
		}
		return nil
	})
}

// applier writes feed entries inside one transaction with statements
// prepared once per page.
type applier struct {
	ctx       context.Context
	tx        *sql.Tx
	stmts     map[string]*sql.Stmt
	hasDrafts bool
}

func (a *applier) close() {
	for _, s := range a.stmts {
		s.Close()
	}
}

func (a *applier) exec(query string, args ...any) error {
	s, ok := a.stmts[query]
	if !ok {
		var err error
		if s, err = a.tx.PrepareContext(a.ctx, query); err != nil {
			return err
		}
		a.stmts[query] = s
	}
	_, err := s.ExecContext(a.ctx, args...)
	return err
}

// tables maps each entity kind to its mirror table.
var tables = map[string]string{
	wire.EntityYear:          "years",
	wire.EntityGroup:         "ranking_groups",
	wire.EntityUnit:          "units",
	wire.EntityUser:          "users",
	wire.EntityIndicator:     "indicators",
	wire.EntityTask:          "tasks",
	wire.EntityDraft:         "server_drafts",
	wire.EntitySubmission:    "submissions",
	wire.EntityReview:        "reviews",
	wire.EntityRectification: "rectifications",
	wire.EntityExternal:      "externals",
	wire.EntityStanding:      "standings",
	wire.EntityMilestone:     "milestone_filings",
	wire.EntityLead:          "leads",
	wire.EntityInspection:    "inspections",
}

// serverDraft is the feed's draft entity: the DraftSave the server keeps,
// with the time it was saved when the server sends it.
type serverDraft struct {
	wire.DraftSave
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

func (a *applier) apply(e wire.Entry) error {
	table, ok := tables[e.Entity]
	if !ok {
		return nil // a kind from a newer server: nothing here shows it
	}
	if e.ID == "" {
		return errors.New("entry has no id")
	}
	if e.Deleted {
		return a.exec("DELETE FROM "+table+" WHERE id = ?", e.ID)
	}
	if len(e.Data) == 0 {
		return errors.New("entry has no data")
	}
	switch e.Entity {
	case wire.EntityYear:
		var y assess.Year
		if err := decode(e, &y, &y.ID); err != nil {
			return err
		}
		return a.exec(upsertYear, e.ID, y.Name, string(y.State), y.Weights.System, y.Weights.Survey, y.Weights.Onsite, y.RectifyDays, y.WarnDays)
	case wire.EntityGroup:
		var g assess.Group
		if err := decode(e, &g, &g.ID); err != nil {
			return err
		}
		return a.exec(upsertGroup, e.ID, g.Name)
	case wire.EntityUnit:
		var u assess.Unit
		if err := decode(e, &u, &u.ID); err != nil {
			return err
		}
		return a.exec(upsertUnit, e.ID, u.Name, u.GroupID)
	case wire.EntityUser:
		var u assess.User
		if err := decode(e, &u, &u.ID); err != nil {
			return err
		}
		return a.exec(upsertUser, e.ID, u.Username, u.Name, string(u.Role), u.UnitID, boolInt(u.Admin), boolInt(u.Disabled))
	case wire.EntityIndicator:
		var in assess.Indicator
		if err := decode(e, &in, &in.ID); err != nil {
			return err
		}
		if err := checkTime("deadline", in.Deadline); err != nil {
			return err
		}
		for _, m := range in.Milestones {
			if err := checkTime("milestone due", m.Due); err != nil {
				return err
			}
		}
		return a.exec(upsertIndicator, e.ID, in.YearID, in.ParentID, in.Code, in.Title, in.Content, in.Standard,
			jsonList(in.Evidence), in.MaxScore, in.ScoringRule, fmtTime(in.Deadline), in.LowScore, jsonList(in.Units), boolInt(in.KeyTask),
			jsonOrEmpty(in.Milestones))
	case wire.EntityTask:
		var t assess.Task
		if err := decodeFast(e, &t, &t.ID, func() bool { return scanTask(e.Data, &t) }); err != nil {
			return err
		}
		if err := checkTime("updated_at", t.UpdatedAt); err != nil {
			return err
		}
		if err := a.exec(upsertTask, e.ID, t.YearID, t.IndicatorID, t.UnitID, string(t.Status), t.Version, t.Score,
			boolInt(t.Scored), t.ReviewVersion, fmtTime(t.UpdatedAt)); err != nil {
			return err
		}
		if !t.Status.Editable() {
			return a.supersedeDraft(e.ID, e.Seq)
		}
		return nil
	case wire.EntityDraft:
		var d serverDraft
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return fmt.Errorf("decode %s: %w", e.Entity, err)
		}
		if d.TaskID == "" {
			d.TaskID = e.ID
		}
		if err := checkTime("updated_at", d.UpdatedAt); err != nil {
			return err
		}
		if err := a.exec(upsertServerDraft, e.ID, d.TaskID, d.Statement, jsonAttachments(d.Attachments), fmtTime(d.UpdatedAt)); err != nil {
			return err
		}
		return a.supersedeDraft(d.TaskID, e.Seq)
	case wire.EntitySubmission:
		var s feedSubmission
		if err := decodeFast(e, &s, &s.ID, func() bool { return scanSubmission(e.Data, &s) }); err != nil {
			return err
		}
		if err := checkTime("submitted_at", s.SubmittedAt); err != nil {
			return err
		}
		atts, err := attachmentsJSON(s.Attachments)
		if err != nil {
			return fmt.Errorf("decode %s: %w", e.Entity, err)
		}
		return a.exec(upsertSubmission, e.ID, s.TaskID, s.UnitID, s.Version, s.Statement, atts,
			s.SubmittedBy, fmtTime(s.SubmittedAt))
	case wire.EntityReview:
		var r assess.Review
		if err := decodeFast(e, &r, &r.ID, func() bool { return scanReview(e.Data, &r) }); err != nil {
			return err
		}
		if err := checkTime("created_at", r.CreatedAt); err != nil {
			return err
		}
		return a.exec(upsertReview, e.ID, r.TaskID, r.UnitID, r.Version, string(r.Decision), r.Score, r.Comment, r.Reviewer, fmtTime(r.CreatedAt))
	case wire.EntityRectification:
		var r assess.Rectification
		if err := decode(e, &r, &r.ID); err != nil {
			return err
		}
		for _, t := range []time.Time{r.Deadline, r.RespondedAt, r.ClosedAt, r.OpenedAt} {
			if err := checkTime("rectification", t); err != nil {
				return err
			}
		}
		if r.TaskID == "" {
			r.TaskID = e.ID
		}
		return a.exec(upsertRect, e.ID, r.TaskID, r.UnitID, string(r.State), r.Demand, fmtTime(r.Deadline), r.Response,
			jsonAttachments(r.Attachments), fmtTime(r.RespondedAt), r.Verification, fmtTime(r.ClosedAt), fmtTime(r.OpenedAt))
	case wire.EntityExternal:
		var x assess.ExternalScore
		if err := decode(e, &x, &x.ID); err != nil {
			return err
		}
		if err := checkTime("updated_at", x.UpdatedAt); err != nil {
			return err
		}
		return a.exec(upsertExternal, e.ID, x.YearID, x.UnitID, string(x.Source), x.Score, x.Max, x.Note, x.Document, fmtTime(x.UpdatedAt),
			x.SampleSize, jsonOrEmpty(x.Items), x.DocumentName, x.Version, x.UpdatedBy)
	case wire.EntityStanding:
		var s assess.Standing
		if err := json.Unmarshal(e.Data, &s); err != nil {
			return fmt.Errorf("decode %s: %w", e.Entity, err)
		}
		return a.exec(upsertStanding, e.ID, s.YearID, s.UnitID, s.GroupID, s.System, s.Survey, s.Onsite, s.Total, s.Rank, s.OutOf)
	case wire.EntityMilestone:
		var f assess.MilestoneFiling
		if err := decode(e, &f, &f.ID); err != nil {
			return err
		}
		for _, t := range []time.Time{f.FiledAt, f.UpdatedAt} {
			if err := checkTime("milestone filing", t); err != nil {
				return err
			}
		}
		return a.exec(upsertMilestone, e.ID, f.TaskID, f.UnitID, f.MilestoneID, f.Statement, jsonAttachments(f.Attachments),
			f.FiledBy, fmtTime(f.FiledAt), fmtTime(f.UpdatedAt))
	case wire.EntityLead:
		var l assess.Lead
		if err := decode(e, &l, &l.ID); err != nil {
			return err
		}
		for _, t := range []time.Time{l.Date, l.ImportedAt, l.ConsideredAt} {
			if err := checkTime("lead", t); err != nil {
				return err
			}
		}
		return a.exec(upsertLead, e.ID, string(l.Source), l.RecordID, l.YearID, l.UnitID, fmtTime(l.Date), l.Summary, l.IndicatorID,
			l.ImportedBy, fmtTime(l.ImportedAt), boolInt(l.Considered), l.Deduction, l.Comment, l.ConsideredBy, fmtTime(l.ConsideredAt))
	case wire.EntityInspection:
		var in assess.Inspection
		if err := decode(e, &in, &in.ID); err != nil {
			return err
		}
		for _, t := range []time.Time{in.Date, in.UpdatedAt} {
			if err := checkTime("inspection", t); err != nil {
				return err
			}
		}
		return a.exec(upsertInspection, e.ID, in.YearID, in.UnitID, fmtTime(in.Date), jsonList(in.Inspectors), in.Findings,
			in.Score, in.Max, jsonAttachments(in.Photos), in.RecordedBy, fmtTime(in.UpdatedAt))
	}
	return nil
}

// decode unmarshals an entry's data into v and checks that the ID inside,
// when there is one, is the entry's.
func decode(e wire.Entry, v any, id *string) error {
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("decode %s: %w", e.Entity, err)
	}
	if *id != "" && *id != e.ID {
		return fmt.Errorf("decode %s: data id %q differs from entry id", e.Entity, *id)
	}
	return nil
}

// decodeFast is decode with a faster reader tried first: scan fills v from
// e's data and reports true, or reports false and v is decoded afresh with
// encoding/json.
func decodeFast[T any](e wire.Entry, v *T, id *string, scan func() bool) error {
	if !scan() {
		var zero T
		*v = zero
		return decode(e, v, id)
	}
	if *id != "" && *id != e.ID {
		return fmt.Errorf("decode %s: data id %q differs from entry id", e.Entity, *id)
	}
	return nil
}

// supersedeDraft removes the local draft of a task once the server's copy
// has caught up with it: the entry is at or after the last change that
// carried the draft, and nothing of the task waits in the outbox.
func (a *applier) supersedeDraft(taskID string, seq int64) error {
	if !a.hasDrafts {
		return nil
	}
	return a.exec(`DELETE FROM drafts WHERE task_id = ? AND synced_seq <= ?
		AND NOT EXISTS (SELECT 1 FROM outbox WHERE ref = ?)`, taskID, seq, taskID)
}

func jsonList(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// jsonOrEmpty returns the JSON of a list, "[]" when it is empty.
func jsonOrEmpty[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonAttachments(v []assess.Attachment) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

const (
	upsertYear = `INSERT INTO years (id, name, state, weight_system, weight_survey, weight_onsite, rectify_days, warn_days)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, state = excluded.state,
		weight_system = excluded.weight_system, weight_survey = excluded.weight_survey,
		weight_onsite = excluded.weight_onsite, rectify_days = excluded.rectify_days, warn_days = excluded.warn_days`
	upsertGroup = `INSERT INTO ranking_groups (id, name) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name`
	upsertUnit = `INSERT INTO units (id, name, group_id) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, group_id = excluded.group_id`
	upsertUser = `INSERT INTO users (id, username, name, role, unit_id, admin, disabled) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET username = excluded.username, name = excluded.name, role = excluded.role,
		unit_id = excluded.unit_id, admin = excluded.admin, disabled = excluded.disabled`
	upsertIndicator = `INSERT INTO indicators (id, year_id, parent_id, code, title, content, standard, evidence,
		max_score, scoring_rule, deadline, low_score, units, key_task, milestones)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET year_id = excluded.year_id, parent_id = excluded.parent_id,
		code = excluded.code, title = excluded.title, content = excluded.content, standard = excluded.standard,
		evidence = excluded.evidence, max_score = excluded.max_score, scoring_rule = excluded.scoring_rule,
		deadline = excluded.deadline, low_score = excluded.low_score, units = excluded.units, key_task = excluded.key_task,
		milestones = excluded.milestones`
	upsertTask = `INSERT INTO tasks (id, year_id, indicator_id, unit_id, status, version, score, scored, review_version, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET year_id = excluded.year_id, indicator_id = excluded.indicator_id,
		unit_id = excluded.unit_id, status = excluded.status, version = excluded.version, score = excluded.score,
		scored = excluded.scored, review_version = excluded.review_version, updated_at = excluded.updated_at`
	upsertServerDraft = `INSERT INTO server_drafts (id, task_id, statement, attachments, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET task_id = excluded.task_id, statement = excluded.statement,
		attachments = excluded.attachments, updated_at = excluded.updated_at`
	upsertSubmission = `INSERT INTO submissions (id, task_id, unit_id, version, statement, attachments, submitted_by, submitted_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET task_id = excluded.task_id, unit_id = excluded.unit_id, version = excluded.version,
		statement = excluded.statement, attachments = excluded.attachments, submitted_by = excluded.submitted_by,
		submitted_at = excluded.submitted_at`
	upsertReview = `INSERT INTO reviews (id, task_id, unit_id, version, decision, score, comment, reviewer, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET task_id = excluded.task_id, unit_id = excluded.unit_id, version = excluded.version,
		decision = excluded.decision, score = excluded.score, comment = excluded.comment, reviewer = excluded.reviewer,
		created_at = excluded.created_at`
	upsertRect = `INSERT INTO rectifications (id, task_id, unit_id, state, demand, deadline, response, attachments,
		responded_at, verification, closed_at, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET task_id = excluded.task_id, unit_id = excluded.unit_id, state = excluded.state,
		demand = excluded.demand, deadline = excluded.deadline, response = excluded.response,
		attachments = excluded.attachments, responded_at = excluded.responded_at, verification = excluded.verification,
		closed_at = excluded.closed_at, opened_at = excluded.opened_at`
	upsertExternal = `INSERT INTO externals (id, year_id, unit_id, source, score, max, note, document, updated_at,
		sample_size, items, document_name, version, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET year_id = excluded.year_id, unit_id = excluded.unit_id, source = excluded.source,
		score = excluded.score, max = excluded.max, note = excluded.note, document = excluded.document,
		updated_at = excluded.updated_at, sample_size = excluded.sample_size, items = excluded.items,
		document_name = excluded.document_name, version = excluded.version, updated_by = excluded.updated_by`
	upsertStanding = `INSERT INTO standings (id, year_id, unit_id, group_id, system, survey, onsite, total, rank, out_of)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET year_id = excluded.year_id, unit_id = excluded.unit_id, group_id = excluded.group_id,
		system = excluded.system, survey = excluded.survey, onsite = excluded.onsite, total = excluded.total,
		rank = excluded.rank, out_of = excluded.out_of`
	upsertMilestone = `INSERT INTO milestone_filings (id, task_id, unit_id, milestone_id, statement, attachments,
		filed_by, filed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET task_id = excluded.task_id, unit_id = excluded.unit_id,
		milestone_id = excluded.milestone_id, statement = excluded.statement, attachments = excluded.attachments,
		filed_by = excluded.filed_by, filed_at = excluded.filed_at, updated_at = excluded.updated_at`
	upsertLead = `INSERT INTO leads (id, source, record_id, year_id, unit_id, date, summary, indicator_id, imported_by,
		imported_at, considered, deduction, comment, considered_by, considered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET source = excluded.source, record_id = excluded.record_id,
		year_id = excluded.year_id, unit_id = excluded.unit_id, date = excluded.date, summary = excluded.summary,
		indicator_id = excluded.indicator_id, imported_by = excluded.imported_by, imported_at = excluded.imported_at,
		considered = excluded.considered, deduction = excluded.deduction, comment = excluded.comment,
		considered_by = excluded.considered_by, considered_at = excluded.considered_at`
	upsertInspection = `INSERT INTO inspections (id, year_id, unit_id, date, inspectors, findings, score, max, photos,
		recorded_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET year_id = excluded.year_id, unit_id = excluded.unit_id, date = excluded.date,
		inspectors = excluded.inspectors, findings = excluded.findings, score = excluded.score, max = excluded.max,
		photos = excluded.photos, recorded_by = excluded.recorded_by, updated_at = excluded.updated_at`
)
