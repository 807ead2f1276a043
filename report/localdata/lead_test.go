package localdata

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/report"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// withLeadsAndMilestones pulls into the city: milestones of indicator 1.1
// (met, missed and not yet due at now for 东城区; filed late by 西城区), and
// leads: one of 东城区 taken into account (1.5 points off), one of 东城区
// not, one of 西城区 taken into account (2 points off).
func withLeadsAndMilestones(t *testing.T, s Source) {
	t.Helper()
	leaf := leaf1
	leaf.Milestones = []assess.Milestone{
		{ID: "m1", Title: "制定年度工作计划", Due: assess.Date(2026, 6, 30)},
		{ID: "m2", Title: "完成中期自查", Due: assess.Date(2026, 9, 30)},
		{ID: "m3", Title: "报送年度总结", Due: assess.Date(2026, 11, 27)},
	}
	t1, t3 := assess.TaskID(leaf1.ID, "east"), assess.TaskID(leaf1.ID, "west")
	filing := func(task, unit, m string, at time.Time) assess.MilestoneFiling {
		return assess.MilestoneFiling{ID: assess.MilestoneFilingID(task, m), TaskID: task, UnitID: unit, MilestoneID: m, Statement: "已完成",
			Attachments: []assess.Attachment{}, FiledBy: "r1", FiledAt: at, UpdatedAt: at}
	}
	lead := func(src assess.LeadSource, rec, unit string, day time.Time, summary string, considered bool, deduction float64, comment string) assess.Lead {
		l := assess.Lead{ID: assess.LeadID(src, rec), Source: src, RecordID: rec, YearID: "2026", UnitID: unit, Date: day, Summary: summary,
			IndicatorID: leaf1.ID, ImportedBy: "svc", ImportedAt: now.AddDate(0, -1, 0), Considered: considered, Deduction: deduction, Comment: comment}
		if considered {
			l.ConsideredBy, l.ConsideredAt = "v1", now.AddDate(0, 0, -3)
		}
		return l
	}
	var es []wire.Entry
	add := func(entity, id string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, wire.Entry{Seq: int64(200 + len(es)), Entity: entity, ID: id, Data: b})
	}
	add(wire.EntityIndicator, leaf.ID, leaf)
	for _, f := range []assess.MilestoneFiling{
		filing(t1, "east", "m1", time.Date(2026, 6, 29, 17, 0, 0, 0, assess.CST)),
		filing(t3, "west", "m2", time.Date(2026, 10, 9, 9, 0, 0, 0, assess.CST)),
	} {
		add(wire.EntityMilestone, f.ID, f)
	}
	for _, l := range []assess.Lead{
		lead(assess.LeadLitigation, "（2026）京0101行初17号", "east", assess.Date(2026, 4, 8), "一审判决被告败诉，政府信息公开答复超期。", true, 1.5, "答复超期，扣1.5分。"),
		lead(assess.LeadPetition, "XF-1", "east", assess.Date(2026, 5, 1), "反映许可办理超期。", false, 0, ""),
		lead(assess.LeadHotline, "GD-9", "west", assess.Date(2026, 3, 2), "反映执法未出示证件。", true, 2, ""),
	} {
		add(wire.EntityLead, l.ID, l)
	}
	if err := s.DB.ApplyPage(context.Background(), wire.ChangesResponse{Entries: es, Next: es[len(es)-1].Seq}); err != nil {
		t.Fatal(err)
	}
}

func TestFeedbackLeadsAndMilestones(t *testing.T) {
	ctx := context.Background()
	s := Source{DB: city(t, reviewer), Now: now, Issuer: "市委依法治市办"}
	withLeadsAndMilestones(t, s)
	d, err := s.Feedback(ctx, y2026, east)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Leads) != 1 || d.Leads[0].RecordID != "（2026）京0101行初17号" || d.Leads[0].Deduction != 1.5 {
		t.Fatalf("leads %+v, want the one taken into account", d.Leads)
	}
	// No standing pulled: computed here with the deduction, as the server
	// does. System 50 × (4 − 1.5) / 20 = 6.25; survey 27, on-site 15.
	if st := d.Standing; st.System != 6.25 || st.Total != 48.25 {
		t.Errorf("standing %+v, want system 6.25 and total 48.25", st)
	}
	ms := d.Rows[0].Milestones
	var states []string
	for _, m := range ms {
		states = append(states, m.Milestone.ID+":"+string(m.State))
	}
	if got := strings.Join(states, " "); got != "m1:met m2:missed m3:pending" {
		t.Errorf("milestones of 1.1: %s", got)
	}
	if !ms[0].FiledAt.Equal(time.Date(2026, 6, 29, 17, 0, 0, 0, assess.CST)) || !ms[1].FiledAt.IsZero() || !ms[2].Due.Equal(assess.Date(2026, 11, 27)) {
		t.Errorf("milestone days %+v", ms)
	}
	if len(d.Rows[1].Milestones) != 0 {
		t.Errorf("indicator 1.2 has no milestones, got %+v", d.Rows[1].Milestones)
	}

	all, err := s.FeedbackAll(ctx, y2026)
	if err != nil {
		t.Fatal(err)
	}
	w := all[1]
	if w.Unit.ID != "west" || len(w.Leads) != 1 || w.Leads[0].RecordID != "GD-9" || w.Standing.System != 0 {
		t.Errorf("西城区: leads %+v, standing %+v (a draft less 2 points stays at 0)", w.Leads, w.Standing)
	}
	if got := w.Rows[0].Milestones[1].State; got != assess.MilestoneLate {
		t.Errorf("西城区's m2 filed after its due day: %s", got)
	}
	// A draft with a milestone missed warns yellow, naming it.
	if wr := w.Rows[0].Warning; wr.Level != assess.Yellow || !strings.Contains(wr.Reason, "制定年度工作计划") {
		t.Errorf("西城区's warning %+v", wr)
	}

	// The printed report lists them.
	var pdf bytes.Buffer
	if err := report.WriteFeedback(&pdf, d, report.Options{}); err != nil {
		t.Fatal(err)
	}
	text := squashed(pdfToText(t, pdf.Bytes()))
	for _, want := range []string{
		"四、督察线索扣分", "行政诉讼败诉", "2026-04-08", "一审判决被告败诉", "1.5", "答复超期，扣1.5分。", "共1条",
		"五、时间节点完成情况", "制定年度工作计划", "按时完成", "完成中期自查", "逾期未完成", "报送年度总结", "未到期",
		"6.25",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	if strings.Contains(text, "反映许可办理超期") {
		t.Error("a lead not taken into account is printed")
	}
}

func TestPlanSurveyExternals(t *testing.T) {
	ctx := context.Background()
	s := Source{DB: city(t, reviewer), Now: now}
	items := []assess.ItemScore{{Name: "政务公开", Score: 88}, {Name: "执法", Score: 92}}
	first := []assess.ExternalScore{{ID: "2026/east/survey", YearID: "2026", UnitID: "east", Source: assess.Survey, Score: 90, Max: 100,
		SampleSize: 1200, Items: items, Document: hash('f'), DocumentName: "调查报告.pdf"}}
	p, err := s.PlanExternals(ctx, y2026, first)
	if err != nil {
		t.Fatal(err)
	}
	if p.Changed != 1 || len(p.Save) != 1 {
		t.Fatalf("new items and sample size: plan %+v", p)
	}
	b, _ := json.Marshal(p.Save[0])
	if err := s.DB.ApplyPage(ctx, wire.ChangesResponse{Entries: []wire.Entry{{Seq: 300, Entity: wire.EntityExternal, ID: p.Save[0].ID, Data: b}}, Next: 300}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		edit func(*assess.ExternalScore)
		same bool
	}{
		{"the same file again", func(*assess.ExternalScore) {}, true},
		{"no document given", func(e *assess.ExternalScore) { e.Document, e.DocumentName = "", "" }, true},
		{"another document", func(e *assess.ExternalScore) { e.Document = hash('g') }, false},
		{"sample size", func(e *assess.ExternalScore) { e.SampleSize = 1300 }, false},
		{"an item", func(e *assess.ExternalScore) {
			e.Items = []assess.ItemScore{{Name: "政务公开", Score: 88}, {Name: "执法", Score: 91}}
		}, false},
	} {
		e := first[0]
		tt.edit(&e)
		p, err := s.PlanExternals(ctx, y2026, []assess.ExternalScore{e})
		if err != nil {
			t.Fatal(err)
		}
		if (p.Unchanged == 1) != tt.same {
			t.Errorf("%s: plan %+v, unchanged %v", tt.name, p, tt.same)
		}
		if !tt.same && e.Document == "" && p.Save[0].Document != hash('f') {
			t.Errorf("%s: the source document was dropped", tt.name)
		}
	}
}

func squashed(s string) string { return strings.Join(strings.Fields(s), "") }

// pdfToText returns the text of a PDF as pdftotext reads it.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("pdftotext is not run on Windows")
	}
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatalf("pdftotext not found: install poppler-utils (make deps): %v", err)
	}
	path := filepath.Join(tempDir(t), "feedback.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}
