package storetest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// ruleCity is the fixture city with tasks in every interesting state:
//
//	A/1.1 submitted (version 1)     A/1.2 scored 18 (version 1)
//	B/1.1 not started               B/1.2 scored 10, below 15: rectification open
//	C/1.1 not started               year 2027 in draft
func ruleCity(t *testing.T, open Opener) *City {
	c := NewCity(t, open, true)
	c.Submit(c.ReporterA, Task(Leaf11, UnitA), 0)
	c.Submit(c.ReporterA, Task(Leaf12, UnitA), 0)
	c.Apply(c.Reviewer, wire.KindScore, wire.ReviewDecision{TaskID: Task(Leaf12, UnitA), Version: 1, Score: 18, Comment: "材料齐全"})
	c.Submit(c.ReporterB, Task(Leaf12, UnitB), 0)
	c.Apply(c.Reviewer, wire.KindScore, wire.ReviewDecision{TaskID: Task(Leaf12, UnitB), Version: 1, Score: 10, Comment: "缺少年度报告"})
	c.Apply(c.Admin, wire.KindYearSave, assess.Year{ID: "2027", Name: "2027年度", Weights: assess.DefaultWeights})
	return c
}

type ruleCase struct {
	name string
	user func(c *City) assess.User
	kind string
	data func(c *City) any // a value to encode, or json.RawMessage as is
	code string
	want string // a part of the message, when it matters
}

func as(f func(c *City) assess.User) func(c *City) assess.User { return f }

var (
	admin     = as(func(c *City) assess.User { return c.Admin })
	reviewer  = as(func(c *City) assess.User { return c.Reviewer })
	reporterA = as(func(c *City) assess.User { return c.ReporterA })
	reporterB = as(func(c *City) assess.User { return c.ReporterB })
	service   = as(func(c *City) assess.User { return c.Svc })
)

func raw(s string) func(*City) any { return func(*City) any { return json.RawMessage(s) } }

func val(v any) func(*City) any { return func(*City) any { return v } }

func draft(task, statement string, atts ...assess.Attachment) func(*City) any {
	return val(wire.DraftSave{TaskID: task, Statement: statement, Attachments: atts})
}

func submit(task string, base int, statement string, atts ...assess.Attachment) func(*City) any {
	return val(wire.Submit{TaskID: task, BaseVersion: base, Statement: statement, Attachments: atts})
}

// withBlob builds a submit whose one attachment is an uploaded file of u.
func withBlob(task string, base int, u func(*City) assess.User) func(*City) any {
	return func(c *City) any {
		return wire.Submit{TaskID: task, BaseVersion: base, Statement: "已落实。", Attachments: []assess.Attachment{c.Blob(u(c))}}
	}
}

func decision(task string, version int, score float64) func(*City) any {
	return val(wire.ReviewDecision{TaskID: task, Version: version, Score: score, Comment: "意见"})
}

func att(hash, name string) assess.Attachment {
	return assess.Attachment{Hash: hash, Name: name, Size: 10}
}

const goodHash = "0000000000000000000000000000000000000000000000000000000000000001"

var (
	a11 = Task(Leaf11, UnitA)
	a12 = Task(Leaf12, UnitA)
	b11 = Task(Leaf11, UnitB)
	b12 = Task(Leaf12, UnitB)
)

var ruleCases = []ruleCase{
	// Who may push what.
	{"reporter scores", reporterA, wire.KindScore, decision(a11, 1, 5), assess.EForbidden, ""},
	{"reporter returns", reporterA, wire.KindReturn, decision(a11, 1, 0), assess.EForbidden, ""},
	{"reporter verifies", reporterB, wire.KindRectVerify, val(wire.RectVerify{TaskID: b12, Accept: true}), assess.EForbidden, ""},
	{"reporter saves external score", reporterA, wire.KindExternalSave, val(assess.ExternalScore{YearID: YearID, UnitID: UnitA, Source: assess.Survey, Score: 90, Max: 100}), assess.EForbidden, ""},
	{"reporter saves a group", reporterA, wire.KindGroupSave, val(assess.Group{ID: "g", Name: "组"}), assess.EForbidden, ""},
	{"reviewer drafts", reviewer, wire.KindDraftSave, draft(b11, "x"), assess.EForbidden, ""},
	{"reviewer submits", reviewer, wire.KindSubmit, withBlob(b11, 0, reviewer), assess.EForbidden, ""},
	{"reviewer responds", reviewer, wire.KindRectRespond, val(wire.RectRespond{TaskID: b12, Response: "已整改"}), assess.EForbidden, ""},
	{"non-admin saves a year", reviewer, wire.KindYearSave, val(assess.Year{ID: "2028", Name: "2028年度", Weights: assess.DefaultWeights}), assess.EForbidden, ""},
	{"non-admin publishes", reviewer, wire.KindYearPublish, val(wire.YearRef{YearID: "2027"}), assess.EForbidden, ""},
	{"non-admin closes", reviewer, wire.KindYearClose, val(wire.YearRef{YearID: YearID}), assess.EForbidden, ""},
	{"non-admin saves an indicator", reviewer, wire.KindIndicatorSave, val(assess.Indicator{ID: "x", YearID: YearID, Code: "9", Title: "x"}), assess.EForbidden, ""},
	{"non-admin saves a group", reviewer, wire.KindGroupSave, val(assess.Group{ID: "g", Name: "组"}), assess.EForbidden, ""},
	{"non-admin saves a unit", reviewer, wire.KindUnitSave, val(assess.Unit{ID: "u", Name: "单位", GroupID: GroupDist}), assess.EForbidden, ""},
	{"service drafts", service, wire.KindDraftSave, draft(b11, "x"), assess.EForbidden, ""},
	{"service scores", service, wire.KindScore, decision(a11, 1, 5), assess.EForbidden, ""},
	{"service saves external score", service, wire.KindExternalSave, val(assess.ExternalScore{YearID: YearID, UnitID: UnitA, Source: assess.Survey, Score: 90, Max: 100}), assess.EForbidden, ""},
	{"drafting another unit's task", reporterB, wire.KindDraftSave, draft(a11, "x"), assess.EForbidden, "本单位"},
	{"submitting another unit's task", reporterB, wire.KindSubmit, withBlob(a12, 1, reporterB), assess.EForbidden, ""},
	{"responding for another unit", reporterA, wire.KindRectRespond, val(wire.RectRespond{TaskID: b12, Response: "已整改"}), assess.EForbidden, ""},

	// Malformed input.
	{"unknown kind", reporterA, "task.delete", draft(a11, "x"), assess.EInvalid, "未知的变更类型"},
	{"wrong type", reporterA, wire.KindDraftSave, raw(`{"task_id": 5}`), assess.EInvalid, ""},
	{"not JSON", reporterA, wire.KindDraftSave, raw(`{"task_id": `), assess.EInvalid, ""},
	{"null data", reporterA, wire.KindDraftSave, raw(`null`), assess.EInvalid, ""},
	{"trailing data", reporterA, wire.KindDraftSave, raw(`{"task_id":"x"} {}`), assess.EInvalid, ""},
	{"unknown task", reporterA, wire.KindDraftSave, draft("ind-9@zhangdian", "x"), assess.ENotFound, ""},

	// Drafts.
	{"draft of a submitted task", reporterA, wire.KindDraftSave, draft(a11, "x"), assess.EConflict, "等待审核"},
	{"draft of a scored task", reporterA, wire.KindDraftSave, draft(a12, "x"), assess.EConflict, "已赋分"},
	{"NUL in a draft", reporterB, wire.KindDraftSave, draft(b11, "a\x00b"), assess.EInvalid, ""},
	{"path in a draft file name", reporterB, wire.KindDraftSave, draft(b11, "x", att(goodHash, "../../etc/passwd.pdf")), assess.EInvalid, ""},

	// Submitting.
	{"empty statement", reporterB, wire.KindSubmit, func(c *City) any {
		return wire.Submit{TaskID: b11, Statement: "  ", Attachments: []assess.Attachment{c.Blob(c.ReporterB)}}
	}, assess.EInvalid, "落实情况说明"},
	{"no evidence", reporterB, wire.KindSubmit, submit(b11, 0, "已落实。"), assess.EInvalid, "请至少添加一份佐证材料"},
	{"bad hash", reporterB, wire.KindSubmit, submit(b11, 0, "已落实。", att("ABC", "a.pdf")), assess.EInvalid, "SHA-256"},
	{"upper-case hash", reporterB, wire.KindSubmit, submit(b11, 0, "已落实。", att(strings.ToUpper(goodHash[:63])+"A", "a.pdf")), assess.EInvalid, ""},
	{"path in a file name", reporterB, wire.KindSubmit, submit(b11, 0, "已落实。", att(goodHash, "../x.pdf")), assess.EInvalid, ""},
	{"right-to-left override", reporterB, wire.KindSubmit, submit(b11, 0, "已落实。", att(goodHash, "报告\u202Efdp.exe")), assess.EInvalid, ""},
	{"NUL in a file name", reporterB, wire.KindSubmit, submit(b11, 0, "已落实。", att(goodHash, "a\x00.pdf")), assess.EInvalid, ""},
	{"executable", reporterB, wire.KindSubmit, submit(b11, 0, "已落实。", att(goodHash, "setup.exe")), assess.EInvalid, ""},
	{"evidence not uploaded", reporterB, wire.KindSubmit, submit(b11, 0, "已落实。", att(goodHash, "a.pdf")), assess.EMissing, "尚未上传"},
	{"stale base version", reporterA, wire.KindSubmit, withBlob(a11, 0, reporterA), assess.EConflict, "该指标已有第 1 版提交，请先同步查看后再提交"},
	{"base version ahead", reporterB, wire.KindSubmit, withBlob(b11, 3, reporterB), assess.EConflict, ""},
	{"submitting a scored task", reporterA, wire.KindSubmit, withBlob(a12, 1, reporterA), assess.EConflict, "该指标已赋分，不能再提交"},
	{"submitting twice", reporterA, wire.KindSubmit, withBlob(a11, 1, reporterA), assess.EConflict, ""},

	// Reviewing.
	{"returning an old version", reviewer, wire.KindReturn, decision(a11, 0, 0), assess.EConflict, "审核的版本已过期"},
	{"scoring a future version", reviewer, wire.KindScore, decision(a11, 2, 5), assess.EConflict, "审核的版本已过期"},
	{"scoring a scored version", reviewer, wire.KindScore, decision(a12, 1, 5), assess.EConflict, "该版本已由其他审核人员处理"},
	{"returning a scored version", reviewer, wire.KindReturn, decision(a12, 1, 0), assess.EConflict, "该版本已由其他审核人员处理"},
	{"scoring an unsubmitted task", reviewer, wire.KindScore, decision(b11, 0, 5), assess.EConflict, ""},
	{"score above max", reviewer, wire.KindScore, decision(a11, 1, 10.5), assess.EInvalid, "分数应在 0 到 10 分之间"},
	{"negative score", reviewer, wire.KindScore, decision(a11, 1, -1), assess.EInvalid, ""},
	{"two decimals", reviewer, wire.KindScore, decision(a11, 1, 3.25), assess.EInvalid, ""},
	{"reviewing an unknown task", reviewer, wire.KindScore, decision("ind-9@zhangdian", 1, 5), assess.ENotFound, ""},

	// Rectification.
	{"responding without a rectification", reporterA, wire.KindRectRespond, val(wire.RectRespond{TaskID: a12, Response: "已整改"}), assess.ENotFound, ""},
	{"empty response", reporterB, wire.KindRectRespond, val(wire.RectRespond{TaskID: b12, Response: " "}), assess.EInvalid, ""},
	{"response evidence not uploaded", reporterB, wire.KindRectRespond, val(wire.RectRespond{TaskID: b12, Response: "已整改", Attachments: []assess.Attachment{att(goodHash, "整改报告.pdf")}}), assess.EMissing, ""},
	{"verifying before the response", reviewer, wire.KindRectVerify, val(wire.RectVerify{TaskID: b12, Accept: true}), assess.EConflict, ""},
	{"verifying without a rectification", reviewer, wire.KindRectVerify, val(wire.RectVerify{TaskID: a11, Accept: true}), assess.ENotFound, ""},

	// Years.
	{"negative weight", admin, wire.KindYearSave, val(assess.Year{ID: "2028", Name: "2028年度", Weights: assess.Weights{System: -1, Survey: 50, Onsite: 50}}), assess.EInvalid, ""},
	{"zero weights", admin, wire.KindYearSave, val(assess.Year{ID: "2028", Name: "2028年度"}), assess.EInvalid, ""},
	{"year without name", admin, wire.KindYearSave, val(assess.Year{ID: "2028", Weights: assess.DefaultWeights}), assess.EInvalid, ""},
	{"slash in year ID", admin, wire.KindYearSave, val(assess.Year{ID: "20/28", Name: "x", Weights: assess.DefaultWeights}), assess.EInvalid, ""},
	{"negative rectify days", admin, wire.KindYearSave, val(assess.Year{ID: "2028", Name: "x", Weights: assess.DefaultWeights, RectifyDays: -1}), assess.EInvalid, ""},
	{"publishing twice", admin, wire.KindYearPublish, val(wire.YearRef{YearID: YearID}), assess.EConflict, ""},
	{"publishing an unknown year", admin, wire.KindYearPublish, val(wire.YearRef{YearID: "1999"}), assess.ENotFound, ""},
	{"closing a draft year", admin, wire.KindYearClose, val(wire.YearRef{YearID: "2027"}), assess.EConflict, ""},

	// Indicators.
	{"duplicate code", admin, wire.KindIndicatorSave, val(assess.Indicator{ID: "ind-dup", YearID: YearID, ParentID: Category1, Code: "1.1", Title: "重复"}), assess.EConflict, "1.1"},
	{"unknown parent", admin, wire.KindIndicatorSave, val(assess.Indicator{ID: "ind-x", YearID: YearID, ParentID: "ind-none", Code: "1.9", Title: "x"}), assess.EInvalid, ""},
	{"parent in another year", admin, wire.KindIndicatorSave, val(assess.Indicator{ID: "ind-27", YearID: "2027", ParentID: Category1, Code: "1.1", Title: "x"}), assess.EInvalid, ""},
	{"loop", admin, wire.KindIndicatorSave, val(assess.Indicator{ID: Category1, YearID: YearID, ParentID: Leaf11, Code: "1", Title: "x", MaxScore: 30}), assess.EInvalid, ""},
	{"unknown unit", admin, wire.KindIndicatorSave, val(assess.Indicator{ID: "ind-x", YearID: YearID, ParentID: Category1, Code: "1.9", Title: "x", Units: []string{"nowhere"}}), assess.EInvalid, ""},
	{"unknown year", admin, wire.KindIndicatorSave, val(assess.Indicator{ID: "ind-x", YearID: "1999", Code: "1", Title: "x"}), assess.ENotFound, ""},
	{"negative max score", admin, wire.KindIndicatorSave, val(assess.Indicator{ID: "ind-x", YearID: YearID, Code: "9", Title: "x", MaxScore: -1}), assess.EInvalid, ""},
	{"threshold above max", admin, wire.KindIndicatorSave, val(assess.Indicator{ID: "ind-x", YearID: YearID, Code: "9", Title: "x", MaxScore: 5, LowScore: 6}), assess.EInvalid, ""},
	{"moving to another year", admin, wire.KindIndicatorSave, val(assess.Indicator{ID: Leaf11, YearID: "2027", Code: "1.1", Title: "x", MaxScore: 10}), assess.EInvalid, ""},
	{"unassigning a unit that submitted", admin, wire.KindIndicatorSave, val(assess.Indicator{ID: Leaf11, YearID: YearID, ParentID: Category1, Code: "1.1", Title: "x", MaxScore: 10, Units: []string{UnitB, UnitC}}), assess.EConflict, ""},
	{"child under a leaf with tasks", admin, wire.KindIndicatorSave, val(assess.Indicator{ID: "ind-1-1-1", YearID: YearID, ParentID: Leaf11, Code: "1.1.1", Title: "x", MaxScore: 1}), assess.EConflict, ""},

	// External scores, groups and units.
	{"external score for an unknown unit", reviewer, wire.KindExternalSave, val(assess.ExternalScore{YearID: YearID, UnitID: "nowhere", Source: assess.Survey, Score: 1, Max: 100}), assess.EInvalid, ""},
	{"external score above max", reviewer, wire.KindExternalSave, val(assess.ExternalScore{YearID: YearID, UnitID: UnitA, Source: assess.Survey, Score: 101, Max: 100}), assess.EInvalid, ""},
	{"unknown source", reviewer, wire.KindExternalSave, val(assess.ExternalScore{YearID: YearID, UnitID: UnitA, Source: "rumour", Score: 1, Max: 100}), assess.EInvalid, ""},
	{"external score for an unknown year", reviewer, wire.KindExternalSave, val(assess.ExternalScore{YearID: "1999", UnitID: UnitA, Source: assess.Survey, Score: 1, Max: 100}), assess.ENotFound, ""},
	{"source document not uploaded", reviewer, wire.KindExternalSave, val(assess.ExternalScore{YearID: YearID, UnitID: UnitA, Source: assess.Survey, Score: 1, Max: 100, Document: goodHash}), assess.EMissing, ""},
	{"group without name", admin, wire.KindGroupSave, val(assess.Group{ID: "g"}), assess.EInvalid, ""},
	{"unit in an unknown group", admin, wire.KindUnitSave, val(assess.Unit{ID: "u", Name: "单位", GroupID: "none"}), assess.EInvalid, ""},
	{"unit without name", admin, wire.KindUnitSave, val(assess.Unit{ID: "u", GroupID: GroupDist}), assess.EInvalid, ""},
	{"unit ID with a space", admin, wire.KindUnitSave, val(assess.Unit{ID: "u 1", Name: "单位", GroupID: GroupDist}), assess.EInvalid, ""},

	// Milestones, leads and inspections.
	{"reviewer files a milestone", reviewer, wire.KindMilestoneFile, milestone(b11, "m1"), assess.EForbidden, ""},
	{"milestone of another unit's task", reporterB, wire.KindMilestoneFile, milestone(a11, "m1"), assess.EForbidden, "本单位"},
	{"milestone of a scored task", reporterA, wire.KindMilestoneFile, milestone(a12, "m1"), assess.EConflict, "已赋分"},
	{"milestone the indicator lacks", reporterB, wire.KindMilestoneFile, milestone(b11, "m1"), assess.ENotFound, "时间节点"},
	{"milestone of an unknown task", reporterB, wire.KindMilestoneFile, milestone("ind-9@zichuan", "m1"), assess.ENotFound, ""},
	{"reporter imports leads", reporterA, wire.KindLeadImport, val(wire.LeadBatch{Leads: []wire.LeadRecord{petition("XF-R1", UnitA)}}), assess.EForbidden, ""},
	{"service pushes a lead import", service, wire.KindLeadImport, val(wire.LeadBatch{Leads: []wire.LeadRecord{petition("XF-R1", UnitA)}}), assess.EForbidden, ""},
	{"empty lead import", reviewer, wire.KindLeadImport, val(wire.LeadBatch{}), assess.EInvalid, "没有要导入的线索"},
	{"lead for an unknown unit", reviewer, wire.KindLeadImport, val(wire.LeadBatch{Leads: []wire.LeadRecord{petition("XF-R1", "nowhere")}}),
		assess.EInvalid, "第 1 条线索（记录编号 XF-R1）：单位“nowhere”不存在"},
	{"reporter considers a lead", reporterA, wire.KindLeadConsider, val(wire.LeadDecision{LeadID: "petition:XF-R1", Considered: true, Deduction: 1}), assess.EForbidden, ""},
	{"considering an unknown lead", reviewer, wire.KindLeadConsider, val(wire.LeadDecision{LeadID: "petition:none", Considered: true, Deduction: 1}), assess.ENotFound, ""},
	{"reporter records an inspection", reporterA, wire.KindInspectionSave, val(visit("v1", UnitA, 8, 10)), assess.EForbidden, ""},
	{"inspection ID of another unit", reviewer, wire.KindInspectionSave, val(func() assess.Inspection {
		v := visit("v1", UnitA, 8, 10)
		v.ID = YearID + "/" + UnitB + "/v1"
		return v
	}()), assess.EInvalid, "督察记录编号"},
	{"inspection score above max", reviewer, wire.KindInspectionSave, val(visit("v1", UnitA, 11, 10)), assess.EInvalid, ""},
	{"inspection without inspectors", reviewer, wire.KindInspectionSave, val(func() assess.Inspection {
		v := visit("v1", UnitA, 8, 10)
		v.Inspectors = nil
		return v
	}()), assess.EInvalid, "督察人员"},
	{"inspection for an unknown unit", reviewer, wire.KindInspectionSave, val(visit("v1", "nowhere", 8, 10)), assess.EInvalid, ""},
	{"inspection photo not uploaded", reviewer, wire.KindInspectionSave, val(func() assess.Inspection {
		v := visit("v1", UnitA, 8, 10)
		v.Photos = []assess.Attachment{att(goodHash, "现场.jpg")}
		return v
	}()), assess.EMissing, ""},
}

// milestone builds a filing of a task's milestone.
func milestone(task, id string, atts ...assess.Attachment) func(*City) any {
	return val(wire.MilestoneFile{TaskID: task, MilestoneID: id, Statement: "已按时间节点完成。", Attachments: atts})
}

// petition is a petition lead about unit dated 1 March 2026.
func petition(recordID, unit string) wire.LeadRecord {
	return wire.LeadRecord{Source: assess.LeadPetition, RecordID: recordID, UnitID: unit, Date: "2026-03-01", Summary: "群众反映窗口办事推诿"}
}

// visit is an inspection visit to unit on 5 March 2026 scored score of max.
func visit(id, unit string, score, max float64) assess.Inspection {
	return assess.Inspection{ID: YearID + "/" + unit + "/" + id, YearID: YearID, UnitID: unit,
		Date: time.Date(2026, 3, 5, 0, 0, 0, 0, assess.CST), Inspectors: []string{"王督察", "李督察"},
		Findings: "执法台账基本齐全，个别案卷未及时归档。", Score: score, Max: max}
}

func testRules(t *testing.T, open Opener) {
	c := ruleCity(t, open)
	before := c.Latest(c.Admin)
	events, blobs := c.AuditEvents(), c.Blobs
	for _, tt := range ruleCases {
		t.Run(tt.name, func(t *testing.T) {
			c.T = t
			r := c.Push(tt.user(c), tt.kind, tt.data(c))
			CheckRejected(t, r, tt.code)
			if !strings.Contains(r.Message, tt.want) {
				t.Fatalf("message %q does not say %q", r.Message, tt.want)
			}
		})
	}
	c.T = t
	// Rejected changes leave no trace: no audit event (but those of the
	// evidence files recorded on the way), no feed entry.
	if got, want := c.AuditEvents(), events+int64(c.Blobs-blobs); got != want {
		t.Fatalf("%d audit events after rejections, want %d", got, want)
	}
	after := c.Latest(c.Admin)
	if len(after) != len(before) {
		t.Fatalf("feed has %d entities after rejections, want %d", len(after), len(before))
	}
	for k, e := range after {
		if before[k].Seq != e.Seq {
			t.Fatalf("%s changed by a rejected change", k)
		}
	}
}
