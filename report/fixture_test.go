package report

import (
	"fmt"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

// The fixtures: a small city with fixed data, so that every document made
// from it is the same on every run.

var (
	fixedNow = time.Date(2026, 11, 20, 9, 30, 0, 0, assess.CST)

	testYear = assess.Year{ID: "2026", Name: "2026年", State: assess.YearPublished, Weights: assess.DefaultWeights, RectifyDays: 15, WarnDays: 5}

	testGroups = []assess.Group{{ID: "quxian", Name: "区县"}, {ID: "shizhi", Name: "市直部门"}}

	testUnits = []assess.Unit{
		{ID: "dongcheng", Name: "东城区", GroupID: "quxian"},
		{ID: "xicheng", Name: "西城区", GroupID: "quxian"},
		{ID: "nanhu", Name: "南湖区", GroupID: "quxian"},
		{ID: "gongan", Name: "市公安局", GroupID: "shizhi"},
		{ID: "shengtai", Name: "市生态环境局", GroupID: "shizhi"},
	}

	testCategories = []string{
		"依法全面履行政府职能", "完善依法行政制度体系", "推进行政决策科学化、民主化、法治化",
		"坚持严格规范公正文明执法", "强化对行政权力的制约和监督", "依法有效化解社会矛盾纠纷",
		"全面提高政府工作人员法治思维和依法行政能力", "组织保障",
	}

	leafTitles = []string{
		"权责清单动态管理", "行政许可事项清单管理", "优化法治化营商环境", "“双随机、一公开”监管",
		"规范性文件合法性审核", "重大行政决策程序执行", "行政执法“三项制度”落实", "行政复议决定履行",
		"政务公开标准化规范化", "法治政府建设年度报告", "领导干部学法用法", "行政应诉与出庭应诉",
	}

	comments = []string{
		"材料齐全，符合达标标准。",
		"权责清单已动态调整并公开，但调整台账缺少审定文件，扣0.5分。",
		"未提供政府门户网站公开页面截图，请补充后重新提交。",
		"年度报告已按时公开；部分数据与统计表不一致，扣1分。建议对照《法治政府建设与责任落实督察工作规定》第二十五条逐项核对年度报告内容，确保数据口径一致、表述准确，并在整改期限内报送更正说明。",
		"",
	}
)

// testTree returns the categories and n leaf indicators of the 2026 tree,
// each category worth the sum of its leaves.
func testTree(n int) (cats, leaves []assess.Indicator) {
	for i, t := range testCategories {
		code := fmt.Sprint(i + 1)
		cats = append(cats, assess.Indicator{ID: "2026-" + code, YearID: "2026", Code: code, Title: t})
	}
	for i := 0; i < n; i++ {
		c := i % len(cats)
		code := fmt.Sprintf("%d.%d", c+1, i/len(cats)+1)
		max := []float64{0.5, 1, 1.5, 2}[i%4]
		in := assess.Indicator{
			ID: "2026-" + code, YearID: "2026", ParentID: cats[c].ID, Code: code,
			Title:    leafTitles[i%len(leafTitles)],
			Evidence: []string{"工作台账", "公开网页截图"},
			MaxScore: max,
			Deadline: assess.Date(2026, time.Month(6+i%6), 30),
			Units:    []string{"dongcheng", "xicheng", "nanhu"},
		}
		cats[c].MaxScore += max
		leaves = append(leaves, in)
	}
	return cats, leaves
}

// testFeedback returns the feedback data of 东城区 with n tasks in every
// state: mostly scored, some low with rectifications, some returned,
// submitted, draft and not started.
func testFeedback(n int) FeedbackData {
	cats, leaves := testTree(n)
	d := FeedbackData{
		Year:       testYear,
		Unit:       testUnits[0],
		Group:      testGroups[0],
		Categories: cats,
		Issuer:     "市委依法治市办",
		External: []assess.ExternalScore{
			{ID: "2026/dongcheng/survey", YearID: "2026", UnitID: "dongcheng", Source: assess.Survey, Score: 86.5, Max: 100},
			{ID: "2026/dongcheng/onsite", YearID: "2026", UnitID: "dongcheng", Source: assess.Onsite, Score: 18, Max: 20},
			{ID: "2026/dongcheng/third_party", YearID: "2026", UnitID: "dongcheng", Source: assess.ThirdParty, Score: 91, Max: 100},
		},
		GeneratedAt: fixedNow,
	}
	var sysScore, sysMax float64
	for i, in := range leaves {
		filings := milestoneFixture(&in, i)
		t := assess.Task{ID: assess.TaskID(in.ID, "dongcheng"), YearID: "2026", IndicatorID: in.ID, UnitID: "dongcheng", Status: assess.Scored, Version: 1}
		row := FeedbackRow{Indicator: in}
		reviewAt := time.Date(2026, 10, 1+i%28, 15, 4, 5, 0, assess.CST)
		switch {
		case i%17 == 3: // low score with a rectification
			t.Score, t.Scored = in.MaxScore*0.4, true
			row.Review = &assess.Review{ID: fmt.Sprintf("r%d", i), TaskID: t.ID, Version: 1, Decision: assess.Score, Score: t.Score, Comment: comments[3], Reviewer: "依法治市办审核员一", CreatedAt: reviewAt}
			row.Rectification = &assess.Rectification{ID: t.ID, TaskID: t.ID, UnitID: "dongcheng", State: assess.RectOpen,
				Demand: "请于整改期限内补充年度报告更正说明，并报送整改情况。", Deadline: assess.Date(2026, 11, 10+i%20), OpenedAt: reviewAt}
		case i%13 == 5:
			t.Status = assess.Returned
			row.Review = &assess.Review{ID: fmt.Sprintf("r%d", i), TaskID: t.ID, Version: 1, Decision: assess.Return, Comment: comments[2], Reviewer: "依法治市办审核员二", CreatedAt: reviewAt}
		case i%11 == 7:
			t.Status, t.Version = assess.Submitted, 2
		case i%19 == 9:
			t.Status, t.Version = assess.Draft, 0
		case i%23 == 11:
			t.Status, t.Version = assess.NotStarted, 0
		default:
			t.Score, t.Scored = in.MaxScore-float64(i%3)*0.5, true
			if t.Score < 0 {
				t.Score = 0
			}
			row.Review = &assess.Review{ID: fmt.Sprintf("r%d", i), TaskID: t.ID, Version: 1, Decision: assess.Score, Score: t.Score, Comment: comments[i%len(comments)], Reviewer: "依法治市办审核员一", CreatedAt: reviewAt}
		}
		row.Task = t
		row.Warning = assess.TaskWarning(t, in, row.Rectification, filings, fixedNow, nil, testYear.WarnDays)
		row.Milestones = NewMilestoneStatuses(in, filings, fixedNow, nil)
		if row.scored() {
			sysScore += t.Score
		}
		sysMax += in.MaxScore
		d.Rows = append(d.Rows, row)
	}
	d.Leads = testLeads(leaves)
	standings := assess.Rank("2026", testYear.Weights, []assess.UnitScores{
		{UnitID: "dongcheng", GroupID: "quxian", Name: "东城区", SystemScore: max(0, sysScore-assess.Deductions(d.Leads)), SystemMax: sysMax, External: map[assess.Source]assess.ExternalScore{
			assess.Survey: d.External[0], assess.Onsite: d.External[1]}},
		{UnitID: "xicheng", GroupID: "quxian", Name: "西城区", SystemScore: sysMax * 0.95, SystemMax: sysMax},
		{UnitID: "nanhu", GroupID: "quxian", Name: "南湖区", SystemScore: sysMax * 0.7, SystemMax: sysMax, External: map[assess.Source]assess.ExternalScore{
			assess.Survey: {Source: assess.Survey, Score: 99, Max: 100}, assess.Onsite: {Source: assess.Onsite, Score: 20, Max: 20}}},
	})
	for _, s := range standings {
		if s.UnitID == "dongcheng" {
			d.Standing = s
		}
	}
	return d
}

// milestoneFixture gives the first leaves milestones and returns the
// unit's filings of them: leaf 0 one met and one late (due on a Sunday, so
// the next Monday), leaf 1 one missed, leaf 5 one not yet due.
func milestoneFixture(in *assess.Indicator, i int) map[string]assess.MilestoneFiling {
	filed := func(id string, at time.Time) assess.MilestoneFiling {
		return assess.MilestoneFiling{ID: assess.MilestoneFilingID(assess.TaskID(in.ID, "dongcheng"), id), TaskID: assess.TaskID(in.ID, "dongcheng"),
			UnitID: "dongcheng", MilestoneID: id, Statement: "已完成", FiledAt: at, UpdatedAt: at}
	}
	switch i {
	case 0:
		in.Milestones = []assess.Milestone{
			{ID: "m1", Title: "制定年度工作计划", Due: assess.Date(2026, 3, 31)},
			{ID: "m2", Title: "完成中期自查并报送自查报告", Due: assess.Date(2026, 5, 31)},
		}
		return map[string]assess.MilestoneFiling{
			"m1": filed("m1", time.Date(2026, 3, 20, 10, 0, 0, 0, assess.CST)),
			"m2": filed("m2", time.Date(2026, 6, 3, 16, 30, 0, 0, assess.CST)),
		}
	case 1:
		in.Milestones = []assess.Milestone{{ID: "m1", Title: "报送半年工作总结", Due: assess.Date(2026, 7, 15)}}
	case 5:
		in.Milestones = []assess.Milestone{{ID: "m1", Title: "报送年度工作总结", Due: assess.Date(2026, 11, 25)}}
	}
	return nil
}

// testLeads returns 东城区's leads: two taken into account (1.5 and 0.5
// points off), one not.
func testLeads(leaves []assess.Indicator) []assess.Lead {
	ind := ""
	if len(leaves) > 0 {
		ind = leaves[0].ID
	}
	lead := func(src assess.LeadSource, rec string, day time.Time, summary, indicator string, considered bool, deduction float64, comment string) assess.Lead {
		return assess.Lead{ID: assess.LeadID(src, rec), Source: src, RecordID: rec, YearID: "2026", UnitID: "dongcheng", Date: day, Summary: summary,
			IndicatorID: indicator, Considered: considered, Deduction: deduction, Comment: comment, ConsideredBy: "依法治市办审核员一"}
	}
	return []assess.Lead{
		lead(assess.LeadHotline, "GD20260512001", assess.Date(2026, 5, 12), "群众反映区市场监管局执法人员检查时未出示执法证件。", "", false, 0, ""),
		lead(assess.LeadLitigation, "（2026）京0101行初17号", assess.Date(2026, 4, 8), "原告诉被告不履行政府信息公开法定职责一案，一审判决被告败诉。", ind, true, 1.5, "政府信息公开答复超期，扣1.5分。"),
		lead(assess.LeadReconsideration, "复决〔2026〕3号", assess.Date(2026, 2, 27), "复议机关以程序违法为由撤销区城管局行政处罚决定。", "", true, 0.5, ""),
	}
}

// testSummary returns the city summary of the five test units.
func testSummary() CitySummaryData {
	d := CitySummaryData{Year: testYear, Groups: testGroups, Units: testUnits, Issuer: "市委依法治市办", GeneratedAt: fixedNow}
	var scores []assess.UnitScores
	_, leaves := testTree(24)
	for ui, u := range testUnits {
		pr := UnitProgress{UnitID: u.ID}
		sys, max := 0.0, 0.0
		for i, in := range leaves {
			t := assess.Task{Status: assess.Statuses[(i+ui)%len(assess.Statuses)]}
			if t.Status == assess.Scored {
				t.Score, t.Scored = in.MaxScore*float64(10-ui)/10, true
				sys += t.Score
			}
			max += in.MaxScore
			pr.Add(t, assess.TaskWarning(t, in, nil, nil, fixedNow, nil, 5))
		}
		d.Progress = append(d.Progress, pr)
		scores = append(scores, assess.UnitScores{UnitID: u.ID, GroupID: u.GroupID, Name: u.Name, SystemScore: sys, SystemMax: max,
			External: map[assess.Source]assess.ExternalScore{
				assess.Survey: {Source: assess.Survey, Score: float64(80 + 3*ui), Max: 100},
				assess.Onsite: {Source: assess.Onsite, Score: float64(15 + ui%3), Max: 20},
			}})
		if ui%2 == 0 {
			in := leaves[ui*3]
			d.Rectifications = append(d.Rectifications, RectificationRow{
				Unit: u, Indicator: in, Score: in.MaxScore * 0.3,
				Rectification: assess.Rectification{ID: assess.TaskID(in.ID, u.ID), TaskID: assess.TaskID(in.ID, u.ID), UnitID: u.ID,
					State: assess.RectOpen, Demand: "补充规范性文件合法性审核台账，说明未审先发的原因并提出整改措施。", Deadline: assess.Date(2026, 11, 5+ui*5)},
			})
		}
	}
	for i := range d.Rectifications {
		d.Rectifications[i].Warning = assess.RectWarning(d.Rectifications[i].Rectification, fixedNow, nil)
	}
	d.Standings = assess.Rank("2026", testYear.Weights, scores)
	return d
}

// testChecklist returns the evidence checklist of 东城区 for n tasks.
func testChecklist(n int) ChecklistData {
	_, leaves := testTree(n)
	d := ChecklistData{Year: testYear, Unit: testUnits[0], GeneratedAt: fixedNow}
	for i, in := range leaves {
		it := ChecklistItem{Indicator: in, Task: assess.Task{Status: assess.Submitted, Version: 1}}
		for j := 0; j < i%3+1; j++ {
			name := fmt.Sprintf("%s（第%d份）.pdf", in.Title, j+1)
			it.Files = append(it.Files, EvidenceFile{
				Attachment: assess.Attachment{Hash: sha256Hex([]byte(name + fmt.Sprint(i))), Name: name, Size: int64(1000 + 537*i*(j+1)*(j+1)*40), Slot: j % 2},
				UploadedAt: time.Date(2026, 9, 1+i%28, 10, j, 0, 0, assess.CST),
			})
		}
		if i%5 == 4 {
			it.Files = it.Files[:1]
			it.Files[0].Slot = -1
		}
		d.Items = append(d.Items, it)
	}
	return d
}
