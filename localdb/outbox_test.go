package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// reviewPage moves task(ind1, unit1) to submitted version 1 and opens a
// rectification on task(ind2, unit1).
func reviewPage() wire.ChangesResponse {
	t1 := task(ind1, unit1, assess.Submitted, 1)
	t2 := task(ind2, unit1, assess.Scored, 1)
	t2.Score, t2.Scored = 3, true
	r := assess.Rectification{ID: t2.ID, TaskID: t2.ID, UnitID: "u1", State: assess.RectOpen, Demand: "请整改",
		Deadline: assess.Date(2026, 5, 1), OpenedAt: assess.Date(2026, 4, 1)}
	r2 := r
	r2.ID, r2.TaskID, r2.State, r2.Response = task(ind3, unit1, "", 0).ID, task(ind3, unit1, "", 0).ID, assess.RectResponded, "已整改"
	return wire.ChangesResponse{Entries: []wire.Entry{
		entry(101, wire.EntityTask, t1.ID, t1),
		entry(102, wire.EntityTask, t2.ID, t2),
		entry(103, wire.EntityRectification, r.ID, r),
		entry(104, wire.EntityRectification, r2.ID, r2),
	}, Next: 200}
}

// TestActionsWriteOneOutboxRow checks that every action writes exactly one
// outbox row of its kind about its record, together with its local change.
func TestActionsWriteOneOutboxRow(t *testing.T) {
	ctx := context.Background()
	t11 := assess.TaskID(ind1.ID, unit1.ID)
	t21 := assess.TaskID(ind2.ID, unit1.ID)
	t31 := assess.TaskID(ind3.ID, unit1.ID)
	cases := []struct {
		name string
		user assess.User
		page bool // apply reviewPage first
		do   func(db *DB, att assess.Attachment) error
		kind string
		ref  string
	}{
		{"draft", reporter1, false, func(db *DB, a assess.Attachment) error {
			return db.SaveDraft(ctx, t11, "已制定权责清单", []assess.Attachment{a})
		}, wire.KindDraftSave, t11},
		{"submit", reporter1, false, func(db *DB, a assess.Attachment) error {
			if err := db.write(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "INSERT INTO drafts (task_id, statement, attachments, updated_at) VALUES (?, ?, ?, '')",
					t11, "说明", jsonAttachments([]assess.Attachment{a}))
				return err
			}); err != nil {
				return err
			}
			return db.Submit(ctx, t11)
		}, wire.KindSubmit, t11},
		{"return", reviewer, true, func(db *DB, _ assess.Attachment) error { return db.Return(ctx, t11, 1, "缺少会议纪要") }, wire.KindReturn, t11},
		{"score", reviewer, true, func(db *DB, _ assess.Attachment) error { return db.Score(ctx, t11, 1, 4.5, "较好") }, wire.KindScore, t11},
		{"respond", reporter1, true, func(db *DB, a assess.Attachment) error {
			return db.RespondRect(ctx, t21, "已完成整改", []assess.Attachment{a})
		}, wire.KindRectRespond, t21},
		{"verify", reviewer, true, func(db *DB, _ assess.Attachment) error { return db.VerifyRect(ctx, t31, true, "") }, wire.KindRectVerify, t31},
		{"external", reviewer, false, func(db *DB, a assess.Attachment) error {
			return db.SaveExternal(ctx, assess.ExternalScore{YearID: "2026", UnitID: "u1", Source: assess.Survey, Score: 80, Max: 100, Document: a.Hash})
		}, wire.KindExternalSave, "2026/u1/survey"},
		{"year", reviewer, false, func(db *DB, _ assess.Attachment) error {
			return db.SaveYear(ctx, assess.Year{ID: "2027", Name: "2027年度", Weights: assess.DefaultWeights})
		}, wire.KindYearSave, "2027"},
		{"close", reviewer, false, func(db *DB, _ assess.Attachment) error { return db.CloseYear(ctx, "2026") }, wire.KindYearClose, "2026"},
		{"indicator", reviewer, false, func(db *DB, _ assess.Attachment) error {
			return db.SaveIndicator(ctx, assess.Indicator{YearID: "2026", Code: "3.1", Title: "重大行政决策", MaxScore: 4})
		}, wire.KindIndicatorSave, "2026/3.1"},
		{"group", reviewer, false, func(db *DB, _ assess.Attachment) error {
			return db.SaveGroup(ctx, assess.Group{ID: "g2", Name: "市直部门"})
		}, wire.KindGroupSave, "g2"},
		{"unit", reviewer, false, func(db *DB, _ assess.Attachment) error {
			return db.SaveUnit(ctx, assess.Unit{ID: "u3", Name: "市司法局", GroupID: "g2"})
		}, wire.KindUnitSave, "u3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := seeded(t)
			if c.page {
				if err := db.ApplyPage(ctx, reviewPage()); err != nil {
					t.Fatal(err)
				}
			}
			login(t, db, c.user)
			att := addFile(t, db, "权责清单.pdf", "%PDF-1.7 "+c.name)
			if err := c.do(db, att); err != nil {
				t.Fatal(err)
			}
			rows := outboxRows(t, db)
			if len(rows) != 1 {
				t.Fatalf("outbox has %d rows, want 1: %+v", len(rows), rows)
			}
			r := rows[0]
			if r.kind != c.kind || r.ref != c.ref || r.state != StatePending || r.userID != c.user.ID {
				t.Errorf("row = %+v, want kind %s ref %s pending by %s", r, c.kind, c.ref, c.user.ID)
			}
			if len(r.id) != 36 || r.id[14] != '4' {
				t.Errorf("change ID %q is not a UUID v4", r.id)
			}
			if !json.Valid([]byte(r.data)) {
				t.Errorf("data is not JSON: %s", r.data)
			}
		})
	}
}

// TestDraftAndOutboxInOneTransaction makes the outbox insert fail and checks
// that the local draft was not written either.
func TestDraftAndOutboxInOneTransaction(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reporter1)
	// The writer pool has exactly one connection, so a TEMP trigger made on
	// it is seen by every write.
	if _, err := db.w.Exec(`CREATE TEMP TRIGGER no_outbox BEFORE INSERT ON main.outbox BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, db)
	err := db.SaveDraft(ctx, assess.TaskID(ind1.ID, unit1.ID), "说明", nil)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("SaveDraft = %v, want the injected failure", err)
	}
	if after := snapshot(t, db); after != before {
		t.Fatalf("a failed action left writes behind:\nbefore %s\nafter  %s", before, after)
	}
	if _, err := db.w.Exec("DROP TRIGGER temp.no_outbox"); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveDraft(ctx, assess.TaskID(ind1.ID, unit1.ID), "说明", nil); err != nil {
		t.Fatal(err)
	}
	if n := len(outboxRows(t, db)); n != 1 {
		t.Fatalf("outbox has %d rows, want 1", n)
	}
}

// TestRefusedActionsWriteNothing runs actions the rules refuse and checks
// that neither the outbox nor the drafts change.
func TestRefusedActionsWriteNothing(t *testing.T) {
	ctx := context.Background()
	t11 := assess.TaskID(ind1.ID, unit1.ID)
	t12 := assess.TaskID(ind1.ID, unit2.ID)
	t21 := assess.TaskID(ind2.ID, unit1.ID)
	t31 := assess.TaskID(ind3.ID, unit1.ID)
	good := assess.Attachment{Hash: strings.Repeat("ab", 32), Name: "纪要.pdf", Size: 10, Slot: 0}
	cases := []struct {
		name string
		user assess.User
		do   func(db *DB) error
		code string
		msg  string
	}{
		{"unknown task", reporter1, func(db *DB) error { return db.SaveDraft(ctx, "nope", "", nil) }, assess.ENotFound, "没有找到"},
		{"other unit", reporter1, func(db *DB) error { return db.SaveDraft(ctx, t12, "", nil) }, assess.EForbidden, "本单位"},
		{"NUL statement", reporter2, func(db *DB) error { return db.SaveDraft(ctx, t12, "a\x00b", nil) }, assess.EInvalid, "无效字符"},
		{"path in name", reporter2, func(db *DB) error {
			a := good
			a.Name = "../secret.pdf"
			return db.SaveDraft(ctx, t12, "", []assess.Attachment{a})
		}, assess.EInvalid, "路径"},
		{"bidi in name", reporter2, func(db *DB) error {
			a := good
			a.Name = "report\u202Efdp.exe"
			return db.SaveDraft(ctx, t12, "", []assess.Attachment{a})
		}, assess.EInvalid, "方向控制符"},
		{"bad hash", reporter2, func(db *DB) error {
			a := good
			a.Hash = "ABC"
			return db.SaveDraft(ctx, t12, "", []assess.Attachment{a})
		}, assess.EInvalid, "摘要"},
		{"no such slot", reporter2, func(db *DB) error {
			a := good
			a.Slot = 2
			return db.SaveDraft(ctx, t12, "", []assess.Attachment{a})
		}, assess.EInvalid, "清单项"},
		{"twice", reporter2, func(db *DB) error { return db.SaveDraft(ctx, t12, "", []assess.Attachment{good, good}) }, assess.EInvalid, "重复"},
		{"draft of submitted task", reporter1, func(db *DB) error { return db.SaveDraft(ctx, t11, "x", nil) }, assess.EConflict, "等待审核"},
		{"draft of scored task", reporter1, func(db *DB) error { return db.SaveDraft(ctx, t21, "x", nil) }, assess.EConflict, "已赋分"},
		{"submit scored task", reporter1, func(db *DB) error { return db.Submit(ctx, t21) }, assess.EConflict, "已赋分"},
		{"submit without draft", reporter1, func(db *DB) error { return db.Submit(ctx, t31) }, assess.EInvalid, "落实情况说明"},
		{"submit submitted", reporter1, func(db *DB) error { return db.Submit(ctx, t11) }, assess.EConflict, "已提交"},
		{"reporter scores", reporter1, func(db *DB) error { return db.Score(ctx, t11, 1, 1, "") }, assess.EForbidden, "审核用户"},
		{"score too high", reviewer, func(db *DB) error { return db.Score(ctx, t11, 1, 5.5, "") }, assess.EInvalid, "0 到 5"},
		{"score 2 decimals", reviewer, func(db *DB) error { return db.Score(ctx, t11, 1, 4.25, "") }, assess.EInvalid, "一位小数"},
		{"old version", reviewer, func(db *DB) error { return db.Score(ctx, t11, 0, 4, "") }, assess.EConflict, "最新提交是第 1 版"},
		{"return without reason", reviewer, func(db *DB) error { return db.Return(ctx, t11, 1, " ") }, assess.EInvalid, "退回理由"},
		{"score not submitted", reviewer, func(db *DB) error { return db.Score(ctx, t31, 0, 1, "") }, assess.EConflict, "没有待审核"},
		{"respond empty", reporter1, func(db *DB) error { return db.RespondRect(ctx, t21, "", nil) }, assess.EInvalid, "整改情况"},
		{"respond twice", reporter1, func(db *DB) error { return db.RespondRect(ctx, t31, "再次", nil) }, assess.EConflict, "待核验"},
		{"no rectification", reporter1, func(db *DB) error { return db.RespondRect(ctx, t11, "x", nil) }, assess.ENotFound, "整改"},
		{"verify open", reviewer, func(db *DB) error { return db.VerifyRect(ctx, t21, true, "") }, assess.EConflict, "待整改"},
		{"reject without reason", reviewer, func(db *DB) error { return db.VerifyRect(ctx, t31, false, "") }, assess.EInvalid, "理由"},
		{"external out of range", reviewer, func(db *DB) error {
			return db.SaveExternal(ctx, assess.ExternalScore{YearID: "2026", UnitID: "u1", Source: assess.Onsite, Score: 120, Max: 100})
		}, assess.EInvalid, "0 到 100"},
		{"external unknown source", reviewer, func(db *DB) error {
			return db.SaveExternal(ctx, assess.ExternalScore{YearID: "2026", UnitID: "u1", Source: "tv", Score: 1, Max: 100})
		}, assess.EInvalid, "来源"},
		{"year without name", reviewer, func(db *DB) error { return db.SaveYear(ctx, assess.Year{ID: "2027", Weights: assess.DefaultWeights}) }, assess.EInvalid, "名称"},
		{"year negative weight", reviewer, func(db *DB) error {
			return db.SaveYear(ctx, assess.Year{ID: "2027", Name: "x", Weights: assess.Weights{System: -1, Survey: 50}})
		}, assess.EInvalid, "负数"},
		{"year state by save", reviewer, func(db *DB) error {
			return db.SaveYear(ctx, assess.Year{ID: "2026", Name: "x", State: assess.YearClosed, Weights: assess.DefaultWeights})
		}, assess.EInvalid, "发布"},
		{"publish published", reviewer, func(db *DB) error { return db.PublishYear(ctx, "2026") }, assess.EConflict, "已发布"},
		{"publish unknown", reviewer, func(db *DB) error { return db.PublishYear(ctx, "1999") }, assess.ENotFound, "1999"},
		{"indicator without title", reviewer, func(db *DB) error {
			return db.SaveIndicator(ctx, assess.Indicator{YearID: "2026", Code: "3.1"})
		}, assess.EInvalid, "名称"},
		{"unit without group", reviewer, func(db *DB) error { return db.SaveUnit(ctx, assess.Unit{ID: "u3", Name: "市司法局"}) }, assess.EInvalid, "分组"},
		{"group by reporter", reporter1, func(db *DB) error { return db.SaveGroup(ctx, assess.Group{ID: "g2", Name: "市直"}) }, assess.EForbidden, "管理员"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := seeded(t)
			if err := db.ApplyPage(ctx, reviewPage()); err != nil {
				t.Fatal(err)
			}
			login(t, db, c.user)
			before := snapshot(t, db)
			err := c.do(db)
			wantCode(t, err, c.code)
			if !strings.Contains(assess.ErrorMessage(err), c.msg) {
				t.Errorf("message %q does not say %q", assess.ErrorMessage(err), c.msg)
			}
			if after := snapshot(t, db); after != before {
				t.Errorf("a refused action wrote:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// TestClosedYearRefusesWrites closes the year (from the feed, and by a
// waiting close) and tries every kind of write into it.
func TestClosedYearRefusesWrites(t *testing.T) {
	ctx := context.Background()
	for _, how := range []string{"feed", "waiting"} {
		t.Run(how, func(t *testing.T) {
			db := seeded(t)
			if err := db.ApplyPage(ctx, reviewPage()); err != nil {
				t.Fatal(err)
			}
			login(t, db, reviewer)
			if how == "feed" {
				y := year
				y.State = assess.YearClosed
				if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{entry(300, wire.EntityYear, y.ID, y)}, Next: 300}); err != nil {
					t.Fatal(err)
				}
			} else if err := db.CloseYear(ctx, "2026"); err != nil {
				t.Fatal(err)
			}
			t11 := assess.TaskID(ind1.ID, unit1.ID)
			for name, do := range map[string]func() error{
				"score":  func() error { return db.Score(ctx, t11, 1, 1, "") },
				"return": func() error { return db.Return(ctx, t11, 1, "补充") },
				"verify": func() error { return db.VerifyRect(ctx, assess.TaskID(ind3.ID, unit1.ID), true, "") },
				"external": func() error {
					return db.SaveExternal(ctx, assess.ExternalScore{YearID: "2026", UnitID: "u1", Source: assess.Survey, Score: 1, Max: 100})
				},
				"indicator": func() error { return db.SaveIndicator(ctx, ind2) },
				"year":      func() error { return db.SaveYear(ctx, year) },
				"close":     func() error { return db.CloseYear(ctx, "2026") },
			} {
				before := snapshot(t, db)
				wantCode(t, do(), assess.EClosed)
				if snapshot(t, db) != before {
					t.Errorf("%s wrote into a closed year", name)
				}
			}
		})
	}
	db := seeded(t)
	login(t, db, reporter1)
	y := year
	y.State = assess.YearClosed
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{entry(300, wire.EntityYear, y.ID, y)}, Next: 300}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.SaveDraft(ctx, assess.TaskID(ind3.ID, unit1.ID), "x", nil), assess.EClosed)
}

func TestSaveDraftCoalescesUntilHandedOut(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reporter1)
	t11 := assess.TaskID(ind1.ID, unit1.ID)
	t31 := assess.TaskID(ind3.ID, unit1.ID)

	id1, err := db.saveDraft(ctx, t11, "第一稿", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.saveDraft(ctx, t31, "另一项", nil); err != nil {
		t.Fatal(err)
	}
	id2, err := db.saveDraft(ctx, t11, "第二稿", nil)
	if err != nil {
		t.Fatal(err)
	}
	if id2 != id1 {
		t.Fatalf("an unsent save was not coalesced: %s then %s", id1, id2)
	}
	rows := outboxRows(t, db)
	if len(rows) != 2 || rows[1].id != id1 || !strings.Contains(rows[1].data, "第二稿") {
		t.Fatalf("outbox = %+v, want the other task's save then one save with the newest text", rows)
	}

	sent, err := db.Pending(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 2 || sent[1].ID != id1 {
		t.Fatalf("Pending = %+v", sent)
	}
	id3, err := db.saveDraft(ctx, t11, "第三稿", nil)
	if err != nil {
		t.Fatal(err)
	}
	if id3 == id1 {
		t.Fatal("a save coalesced into a change that had been handed out")
	}
	rows = outboxRows(t, db)
	if len(rows) != 3 || rows[1].data != string(sent[1].Data) {
		t.Fatalf("the handed-out change was touched: %+v", rows)
	}
	id4, err := db.saveDraft(ctx, t11, "第四稿", nil)
	if err != nil {
		t.Fatal(err)
	}
	if id4 != id3 {
		t.Fatal("the newest unsent save was not coalesced")
	}
	d, err := db.Draft(ctx, t11)
	if err != nil {
		t.Fatal(err)
	}
	if d.Statement != "第四稿" || d.Source != FromLocal {
		t.Fatalf("draft = %+v", d)
	}
}

func TestPendingAndRecordResults(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reporter1)
	var ids []string
	for _, in := range []assess.Indicator{ind1, ind2, ind3} {
		id, err := db.saveDraft(ctx, assess.TaskID(in.ID, unit1.ID), "说明 "+in.Code, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	id4, err := db.saveDraft(ctx, assess.TaskID(ind1.ID, unit1.ID), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if id4 != ids[0] {
		t.Fatal("not coalesced")
	}
	// The coalesced save moved to the end of the queue.
	ids = append(ids[1:], ids[0])

	first, err := db.Pending(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 || first[0].ID != ids[0] || first[1].ID != ids[1] {
		t.Fatalf("Pending(2) = %v, want %v", first, ids[:2])
	}
	all, err := db.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[2].ID != ids[2] || all[0].Kind != wire.KindDraftSave || all[0].MadeAt.IsZero() {
		t.Fatalf("Pending(0) = %+v", all)
	}

	results := []wire.Result{
		{ID: ids[0], Status: wire.Applied, HTTP: 200, Seq: 150},
		{ID: ids[1], Status: wire.Rejected, HTTP: 409, Code: assess.EConflict, Message: "该指标已赋分，不能再修改"},
		{ID: ids[2], Status: wire.Rejected, HTTP: 424, Code: assess.EMissing, Message: "佐证材料尚未上传"},
		{ID: "no-such-change", Status: wire.Applied},
	}
	for range 2 { // recording twice is harmless
		if err := db.RecordResults(ctx, results); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []wire.Result{
		{ID: ids[2], Status: wire.Rejected, Code: assess.EUnavailable},
		{ID: ids[2], Status: wire.Rejected, Code: assess.EInternal},
		{ID: ids[2], Status: wire.Rejected, HTTP: 503}, // no code: the status says unavailable
		{ID: ids[2], Status: "later"},
	} {
		if err := db.RecordResults(ctx, []wire.Result{r}); err != nil {
			t.Fatal(err)
		}
	}
	left, err := db.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].ID != ids[2] {
		t.Fatalf("still pending = %+v, want only the retryable one", left)
	}
	rej, err := db.Rejected(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rej) != 1 || rej[0].ChangeID != ids[1] || rej[0].Code != assess.EConflict || rej[0].Message != "该指标已赋分，不能再修改" ||
		rej[0].TaskID != assess.TaskID(ind3.ID, unit1.ID) || rej[0].KindLabel() != "保存草稿" || rej[0].RejectedAt.IsZero() {
		t.Fatalf("Rejected = %+v", rej)
	}
	// The rejected change's draft is kept; so is the applied one's until the
	// server's copy arrives.
	for _, in := range []assess.Indicator{ind2, ind3} {
		if _, ok, _ := loadDraft(ctx, db.r, assess.TaskID(in.ID, unit1.ID)); !ok {
			t.Errorf("draft of %s was removed", in.Code)
		}
	}
	p, r, err := db.PendingCount(ctx)
	if err != nil || p != 1 || r != 1 {
		t.Fatalf("PendingCount = %d, %d, %v", p, r, err)
	}
	v, err := db.Task(ctx, assess.TaskID(ind3.ID, unit1.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Rejected) != 1 || !strings.Contains(v.StatusLabel(), "同步被拒绝") {
		t.Fatalf("task view = %+v, label %s", v, v.StatusLabel())
	}
}

func TestSubmitShowsPendingAndRefusesTwice(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reporter1)
	t11 := assess.TaskID(ind1.ID, unit1.ID)
	wantCode(t, db.Submit(ctx, t11), assess.EInvalid)

	a := addFile(t, db, "会议纪要.docx", "PK\x03\x04 minutes")
	a.Slot = 1
	if err := db.SaveDraft(ctx, t11, "   ", []assess.Attachment{a}); err != nil {
		t.Fatal(err)
	}
	err := db.Submit(ctx, t11)
	wantCode(t, err, assess.EInvalid)
	if !strings.Contains(err.Error(), "请填写落实情况说明") {
		t.Fatalf("got %v", err)
	}
	if err := db.SaveDraft(ctx, t11, "已召开专题会议", nil); err != nil {
		t.Fatal(err)
	}
	err = db.Submit(ctx, t11)
	wantCode(t, err, assess.EInvalid)
	if !strings.Contains(err.Error(), "佐证材料") {
		t.Fatalf("got %v", err)
	}
	if err := db.SaveDraft(ctx, t11, "已召开专题会议", []assess.Attachment{a}); err != nil {
		t.Fatal(err)
	}
	if err := db.Submit(ctx, t11); err != nil {
		t.Fatal(err)
	}
	v, err := db.Task(ctx, t11)
	if err != nil {
		t.Fatal(err)
	}
	if !v.SubmitPending() || v.Local != assess.Submitted || v.StatusLabel() != "已提交（待同步）" || v.Status != assess.NotStarted {
		t.Fatalf("view = %+v, label %s", v, v.StatusLabel())
	}
	wantCode(t, db.Submit(ctx, t11), assess.EConflict)
	wantCode(t, db.SaveDraft(ctx, t11, "改一下", nil), assess.EConflict)

	rows := outboxRows(t, db)
	var s wire.Submit
	if err := json.Unmarshal([]byte(rows[len(rows)-1].data), &s); err != nil {
		t.Fatal(err)
	}
	if s.BaseVersion != 0 || s.Statement != "已召开专题会议" || len(s.Attachments) != 1 || s.Attachments[0] != a {
		t.Fatalf("submit = %+v", s)
	}
}

func TestKeepMineAndTakeServer(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reporter1)
	t11 := assess.TaskID(ind1.ID, unit1.ID)
	t31 := assess.TaskID(ind3.ID, unit1.ID)
	a := addFile(t, db, "台账.xlsx", "PK\x03\x04 ledger")

	if err := db.SaveDraft(ctx, t11, "我的说明", []assess.Attachment{a}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveDraft(ctx, t31, "另一项", nil); err != nil {
		t.Fatal(err)
	}
	subID, err := db.submit(ctx, t11)
	if err != nil {
		t.Fatal(err)
	}
	sent, err := db.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var results []wire.Result
	for _, c := range sent {
		if c.ID == subID || c.Kind == wire.KindDraftSave && strings.Contains(string(c.Data), "另一项") {
			results = append(results, wire.Result{ID: c.ID, Status: wire.Rejected, Code: assess.EConflict, Message: "该指标已有新的提交版本"})
		} else {
			results = append(results, wire.Result{ID: c.ID, Status: wire.Applied})
		}
	}
	if err := db.RecordResults(ctx, results); err != nil {
		t.Fatal(err)
	}
	// Meanwhile another PC of the unit submitted version 1 and it was
	// returned: the server is at version 1.
	moved := task(ind1, unit1, assess.Returned, 1)
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{entry(120, wire.EntityTask, moved.ID, moved)}, Next: 120}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := loadDraft(ctx, db.r, t11); !ok {
		t.Fatal("the rejection removed the local draft")
	}

	newID, err := db.keepMine(ctx, subID)
	if err != nil {
		t.Fatal(err)
	}
	if newID == subID {
		t.Fatal("KeepMine reused the rejected change's ID")
	}
	rows := outboxRows(t, db)
	var found bool
	for _, r := range rows {
		if r.id == subID {
			t.Fatal("the rejected change is still in the outbox")
		}
		if r.id == newID {
			found = true
			var s wire.Submit
			json.Unmarshal([]byte(r.data), &s)
			if r.kind != wire.KindSubmit || r.state != StatePending || s.BaseVersion != 1 || s.Statement != "我的说明" || len(s.Attachments) != 1 {
				t.Fatalf("requeued = %+v %+v", r, s)
			}
		}
	}
	if !found {
		t.Fatal("KeepMine queued nothing")
	}
	wantCode(t, db.KeepMine(ctx, subID), assess.ENotFound)

	// TakeServer on the other task's rejected draft drops it and the draft.
	rej, err := db.Rejected(ctx)
	if err != nil || len(rej) != 1 || rej[0].TaskID != t31 {
		t.Fatalf("Rejected = %+v, %v", rej, err)
	}
	if err := db.TakeServer(ctx, rej[0].ChangeID); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := loadDraft(ctx, db.r, t31); ok {
		t.Fatal("TakeServer kept the local draft")
	}
	if rej, _ := db.Rejected(ctx); len(rej) != 0 {
		t.Fatalf("still rejected: %+v", rej)
	}
}

func TestKeepMineRefusedByCurrentState(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reporter1)
	t11 := assess.TaskID(ind1.ID, unit1.ID)
	a := addFile(t, db, "照片.jpg", "\xff\xd8\xff photo")
	if err := db.SaveDraft(ctx, t11, "说明", []assess.Attachment{a}); err != nil {
		t.Fatal(err)
	}
	subID, err := db.submit(ctx, t11)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordResults(ctx, []wire.Result{{ID: subID, Status: wire.Rejected, Code: assess.EConflict, Message: "该指标已赋分"}}); err != nil {
		t.Fatal(err)
	}
	scored := task(ind1, unit1, assess.Scored, 1)
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{entry(120, wire.EntityTask, scored.ID, scored)}, Next: 120}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, db)
	err = db.KeepMine(ctx, subID)
	wantCode(t, err, assess.EConflict)
	if !strings.Contains(assess.ErrorMessage(err), "已赋分") {
		t.Fatalf("got %v", err)
	}
	if snapshot(t, db) != before {
		t.Fatal("a refused KeepMine changed the outbox or drafts")
	}
	if err := db.TakeServer(ctx, subID); err != nil {
		t.Fatal(err)
	}
	if rows := outboxRows(t, db); len(rows) != 1 || rows[0].kind != wire.KindDraftSave {
		t.Fatalf("outbox = %+v", rows)
	}
	if _, ok, _ := loadDraft(ctx, db.r, t11); !ok {
		t.Fatal("TakeServer dropped a draft whose save still waits")
	}
}

func TestKeepMineRebasesReview(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	if err := db.ApplyPage(ctx, reviewPage()); err != nil {
		t.Fatal(err)
	}
	login(t, db, reviewer)
	t11 := assess.TaskID(ind1.ID, unit1.ID)
	if err := db.Score(ctx, t11, 1, 4, "好"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.Return(ctx, t11, 1, "补充"), assess.EConflict)
	v, _ := db.Task(ctx, t11)
	if v.Local != assess.Scored || v.StatusLabel() != "已赋分（待同步）" {
		t.Fatalf("view %+v %s", v.Local, v.StatusLabel())
	}
	rows := outboxRows(t, db)
	if err := db.RecordResults(ctx, []wire.Result{{ID: rows[0].id, Status: wire.Rejected, Code: assess.EConflict, Message: "版本已过期"}}); err != nil {
		t.Fatal(err)
	}
	t2 := task(ind1, unit1, assess.Submitted, 2)
	if err := db.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{entry(300, wire.EntityTask, t2.ID, t2)}, Next: 300}); err != nil {
		t.Fatal(err)
	}
	if err := db.KeepMine(ctx, rows[0].id); err != nil {
		t.Fatal(err)
	}
	rows = outboxRows(t, db)
	var d wire.ReviewDecision
	json.Unmarshal([]byte(rows[0].data), &d)
	if len(rows) != 1 || rows[0].kind != wire.KindScore || d.Version != 2 || d.Score != 4 || d.Comment != "好" {
		t.Fatalf("outbox = %+v %+v", rows, d)
	}
}
