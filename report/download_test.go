package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

// testMatrix returns three units, four leaves and their tasks: 东城区 has
// every task scored but one, 市公安局 is assigned only two leaves.
func testMatrix() MatrixData {
	_, leaves := testTree(4)
	d := MatrixData{Year: testYear, Groups: testGroups, Units: []assess.Unit{testUnits[3], testUnits[0], testUnits[1]}, Leaves: leaves}
	score := func(unit string, in assess.Indicator, s float64, scored bool) {
		t := assess.Task{ID: assess.TaskID(in.ID, unit), UnitID: unit, IndicatorID: in.ID, Status: assess.Submitted}
		if scored {
			t.Status, t.Score, t.Scored = assess.Scored, s, true
		}
		d.Tasks = append(d.Tasks, t)
	}
	score("dongcheng", leaves[0], 0.5, true)
	score("dongcheng", leaves[1], 0.8, true)
	score("dongcheng", leaves[2], 0, false)
	score("dongcheng", leaves[3], 2, true)
	score("xicheng", leaves[0], 0.3, true)
	score("xicheng", leaves[1], 1, true)
	score("xicheng", leaves[2], 1.5, true)
	score("xicheng", leaves[3], 1, true)
	score("gongan", leaves[0], 0.5, true)
	score("gongan", leaves[2], 1, true)
	d.Standings = assess.Rank("2026", testYear.Weights, []assess.UnitScores{
		{UnitID: "dongcheng", GroupID: "quxian", Name: "东城区", SystemScore: 3.3, SystemMax: 5},
		{UnitID: "xicheng", GroupID: "quxian", Name: "西城区", SystemScore: 3.8, SystemMax: 5},
		{UnitID: "gongan", GroupID: "shizhi", Name: "市公安局", SystemScore: 1.5, SystemMax: 2},
	})
	return d
}

func TestMatrixTable(t *testing.T) {
	tb := MatrixTable(testMatrix())
	var titles []string
	for _, c := range tb.Columns {
		titles = append(titles, c.Title)
	}
	wantTitles := "单位|排名分组|1.1 权责清单动态管理（0.5分）|2.1 行政许可事项清单管理（1分）|3.1 优化法治化营商环境（1.5分）|4.1 “双随机、一公开”监管（2分）|指标得分合计|指标满分合计|体系评价（50）|民意调查（30）|现场督察（20）|总分|组内排名"
	if strings.Join(titles, "|") != wantTitles {
		t.Errorf("columns\n%s\nwant\n%s", strings.Join(titles, "|"), wantTitles)
	}
	got := make([]string, len(tb.Rows))
	for i, r := range tb.Rows {
		got[i] = strings.TrimSpace(fmt.Sprintln(r...))
	}
	want := []string{
		// Units by group (区县 first), then in the order given.
		"东城区 区县 0.5 0.8 <nil> 2 3.3 5 33 0 0 33 2",
		"西城区 区县 0.3 1 1.5 1 3.8 5 38 0 0 38 1",
		"市公安局 市直部门 0.5 — 1 — 1.5 2 37.5 0 0 37.5 1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var b bytes.Buffer
	if err := WriteXLSX(&b, tb, RankingTable(testMatrix())); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	if v, _ := f.GetCellValue("得分矩阵", "E2"); v != "" {
		t.Errorf("an unscored task shows %q, want an empty cell", v)
	}
	if v, _ := f.GetCellValue("得分矩阵", "D4"); v != notAssigned {
		t.Errorf("an unassigned indicator shows %q, want %q", v, notAssigned)
	}
	rows, _ := f.GetRows("分组排名")
	var ranking []string
	for _, r := range rows[1:] {
		ranking = append(ranking, r[0]+r[1]+r[2])
	}
	if got := strings.Join(ranking, " "); got != "区县1西城区 区县2东城区 市直部门1市公安局" {
		t.Errorf("ranking %s", got)
	}
}

func TestProgressTable(t *testing.T) {
	var p UnitProgress
	p.UnitID = "dongcheng"
	for _, c := range []struct {
		s assess.Status
		l assess.Level
	}{{assess.Scored, assess.NoWarning}, {assess.Scored, assess.Red}, {assess.Returned, assess.Yellow}, {assess.Draft, assess.Blue}, {assess.NotStarted, assess.Red}, {assess.Submitted, assess.NoWarning}} {
		p.Add(assess.Task{Status: c.s}, assess.Warning{Level: c.l})
	}
	if p.Tasks != 6 || p.Scored != 2 || p.Returned != 1 || p.Draft != 1 || p.NotStarted != 1 || p.Submitted != 1 || p.Red != 2 || p.Yellow != 1 || p.Blue != 1 {
		t.Fatalf("progress %+v", p)
	}
	tb := ProgressTable(testUnits, testGroups, []UnitProgress{p, {UnitID: "gongan"}})
	if len(tb.Rows) != 2 {
		t.Fatalf("%d rows, want 2", len(tb.Rows))
	}
	if got := fmt.Sprint(tb.Rows[0]...); got != fmt.Sprint("东城区", "区县", 6, 1, 1, 1, 1, 2, 2.0/6, 2, 1, 1) {
		t.Errorf("row %s", got)
	}
	if got := (UnitProgress{}).Completion(); got != 0 {
		t.Errorf("completion of nothing = %v", got)
	}
}

func TestWarningTable(t *testing.T) {
	_, leaves := testTree(3)
	tb := WarningTable([]WarningRow{
		{Unit: testUnits[1], Indicator: leaves[1], Status: assess.Draft, Warning: assess.Warning{Level: assess.Blue, Reason: "蓝"}},
		{Unit: testUnits[0], Indicator: leaves[2], Status: assess.Returned, Warning: assess.Warning{Level: assess.Yellow, Reason: "黄"}},
		{Unit: testUnits[0], Indicator: leaves[0], Status: assess.Scored},
		{Unit: testUnits[1], Indicator: leaves[0], Status: assess.NotStarted, Warning: assess.Warning{Level: assess.Red, Reason: "红"}},
	})
	var got []string
	for _, r := range tb.Rows {
		got = append(got, r[0].(string)+r[4].(string))
	}
	if strings.Join(got, " ") != "西城区红色预警 东城区黄色预警 西城区蓝色预警" {
		t.Errorf("warnings %q", got)
	}
}

func TestRectificationTable(t *testing.T) {
	_, leaves := testTree(2)
	open := assess.Rectification{State: assess.RectOpen, Demand: "补充材料", Deadline: assess.Date(2026, 11, 1), OpenedAt: time.Date(2026, 10, 1, 9, 0, 0, 0, assess.CST)}
	done := assess.Rectification{State: assess.RectClosed, Deadline: assess.Date(2026, 12, 1), ClosedAt: time.Date(2026, 11, 2, 9, 0, 0, 0, assess.CST)}
	tb := RectificationTable([]RectificationRow{
		{Unit: testUnits[1], Indicator: leaves[0], Score: 0.2, Rectification: done},
		{Unit: testUnits[0], Indicator: leaves[1], Score: 0.3, Rectification: open},
	}, fixedNow)
	if tb.Rows[0][0] != "东城区" || tb.Rows[0][6] != "待整改" || tb.Rows[0][7] != "是" {
		t.Errorf("first row %v, want 东城区's overdue open rectification", tb.Rows[0])
	}
	if tb.Rows[1][6] != "已销号" || tb.Rows[1][7] != "" || tb.Rows[1][9] != nil {
		t.Errorf("second row %v", tb.Rows[1])
	}
}

func TestAuditTable(t *testing.T) {
	at := func(day int) time.Time { return time.Date(2026, 3, day, 12, 0, 0, 0, assess.CST) }
	entries := []AuditEntry{
		{Seq: 3, At: at(3), Actor: "shenhe1", Action: "review.score", Target: "2026-1.1@dongcheng", Hash: "c", Prev: "b"},
		{Seq: 1, At: at(1), Actor: "admin", Action: "year.save", Target: "2026", Hash: "a"},
		{Seq: 2, At: at(2), Actor: "dongchengqu", Action: "task.submit", Target: "2026-1.1@dongcheng", Hash: "b", Prev: "a"},
		{Seq: 4, At: at(4), Actor: "shenhe1", Action: "rect.close", Hash: "d", Prev: "c"},
	}
	seqs := func(tb Table) string {
		var s []string
		for _, r := range tb.Rows {
			s = append(s, fmt.Sprint(r[0]))
		}
		return strings.Join(s, ",")
	}
	for _, c := range []struct {
		from, to time.Time
		want     string
	}{
		{time.Time{}, time.Time{}, "1,2,3,4"},
		{at(2), time.Time{}, "2,3,4"},
		{time.Time{}, at(3), "1,2"},
		{at(2), at(4), "2,3"},
		{at(5), time.Time{}, ""},
	} {
		if got := seqs(AuditTable(entries, c.from, c.to)); got != c.want {
			t.Errorf("AuditTable(%v, %v) = %s, want %s", c.from, c.to, got, c.want)
		}
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, AuditTable(entries, time.Time{}, time.Time{})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "2,2026-03-02 12:00:00,dongchengqu,task.submit,2026-1.1@dongcheng,,b,a\r\n") {
		t.Errorf("audit CSV:\n%s", b.String())
	}
}
