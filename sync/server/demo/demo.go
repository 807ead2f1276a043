// Package demo builds a demo city for the central server: a fictional
// prefecture-level city with six districts and counties and six city
// departments in two ranking groups, the city office's two reviewers, one
// reporting user per unit, and a published assessment year whose indicator
// tree follows the main areas of 《法治政府建设实施纲要》 (8 categories,
// 47 indicators, 100 points), some of whose indicators carry milestones,
// and a few leads from other government systems that no reviewer has taken
// into account yet. Load writes it into a server.Store.
package demo

import (
	"fmt"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// Data is a demo city: everything Load writes into a store.
type Data struct {
	Year       assess.Year
	Groups     []assess.Group
	Units      []assess.Unit
	Users      []assess.User
	Indicators []assess.Indicator // parents before children
	// Leads are leads (督察线索) as other government systems send them;
	// none is taken into account, so they leave the standings as they are.
	Leads []wire.LeadRecord
}

// Ranking groups and the city office's unit.
const (
	GroupDistricts   = "quxian" // 区县
	GroupDepartments = "shizhi" // 市直部门
	// GroupOffice holds only the assessing office; it is not assessed.
	GroupOffice = "kaohe"
	// OfficeUnit is the city's law-based-governance office (市委依法治市办),
	// the reviewers' unit.
	OfficeUnit = "yifazhishi"
)

type demoUnit struct {
	id, name, username string
}

var (
	districtUnits = []demoUnit{
		{"dongcheng", "东城区", "dongchengqu"},
		{"xicheng", "西城区", "xichengqu"},
		{"nanhu", "南湖区", "nanhuqu"},
		{"gaoxin", "高新区", "gaoxinqu"},
		{"linchuan", "临川县", "linchuanxian"},
		{"qingshan", "青山县", "qingshanxian"},
	}
	departmentUnits = []demoUnit{
		{"gongan", "市公安局", "gonganju"},
		{"shengtai", "市生态环境局", "shengtaiju"},
		{"shichang", "市市场监管局", "shichangju"},
		{"renshe", "市人社局", "rensheju"},
		{"zhujian", "市住建局", "zhujianju"},
		{"jiaotong", "市交通运输局", "jiaotongju"},
	}
)

// City returns the demo city for an assessment year. Deadlines are fixed
// days of the year, moved back to the working day before when they fall on
// a weekend or holiday. When now falls in year, deadlines not after today
// are moved to the weeks after it, 3, 7, 11, … working days on (the first
// within the blue-warning window) and no later than the year's last working
// day while that is still ahead, so that a freshly loaded demo starts
// without overdue tasks. Milestones are fixed days too, moved the same way;
// when one is past or after its indicator's deadline, all of that
// indicator's milestones are spread evenly over the working days between
// today and the deadline, so that none is missed and none is due after it.
func City(year int, now time.Time) Data {
	cal := assess.ChinaCalendar()
	yearID := fmt.Sprint(year)
	d := Data{
		Year: assess.Year{
			ID:          yearID,
			Name:        fmt.Sprintf("%d年", year),
			State:       assess.YearPublished,
			Weights:     assess.DefaultWeights,
			RectifyDays: 15,
			WarnDays:    assess.DefaultWarnDays,
		},
		Groups: []assess.Group{
			{ID: GroupDistricts, Name: "区县"},
			{ID: GroupDepartments, Name: "市直部门"},
			{ID: GroupOffice, Name: "考核机关（不参与排名）"},
		},
	}
	var districtIDs, departmentIDs []string
	d.Units = append(d.Units, assess.Unit{ID: OfficeUnit, Name: "市委依法治市办", GroupID: GroupOffice})
	d.Users = append(d.Users,
		assess.User{ID: "u-shenhe1", Username: "shenhe1", Name: "依法治市办审核员一", Role: assess.Reviewer, UnitID: OfficeUnit, Admin: true},
		assess.User{ID: "u-shenhe2", Username: "shenhe2", Name: "依法治市办审核员二", Role: assess.Reviewer, UnitID: OfficeUnit},
	)
	for _, g := range []struct {
		group string
		units []demoUnit
		ids   *[]string
	}{{GroupDistricts, districtUnits, &districtIDs}, {GroupDepartments, departmentUnits, &departmentIDs}} {
		for _, u := range g.units {
			d.Units = append(d.Units, assess.Unit{ID: u.id, Name: u.name, GroupID: g.group})
			d.Users = append(d.Users, assess.User{ID: "u-" + u.username, Username: u.username, Name: u.name + "填报员", Role: assess.Reporter, UnitID: u.id})
			*g.ids = append(*g.ids, u.id)
		}
	}
	scopes := map[scope][]string{
		allUnits:    append(append([]string{}, districtIDs...), departmentIDs...),
		districts:   districtIDs,
		departments: departmentIDs,
	}

	today := assess.DayOf(now)
	lastDay := deadline(cal, year, 12, 31)
	shifted := 0
	for ci, c := range tree {
		code := fmt.Sprint(ci + 1)
		catID := yearID + "-" + code
		cat := assess.Indicator{ID: catID, YearID: yearID, Code: code, Title: c.title, Content: c.content}
		var leaves []assess.Indicator
		for li, l := range c.leaves {
			due := deadline(cal, year, l.month, l.day)
			if today.Year() == year && !due.After(today) {
				due = cal.AddWorkdays(today, 3+shifted*4)
				if due.After(lastDay) && lastDay.After(today) {
					due = lastDay
				}
				shifted++
			}
			lcode := fmt.Sprintf("%s.%d", code, li+1)
			leaves = append(leaves, assess.Indicator{
				ID:          yearID + "-" + lcode,
				YearID:      yearID,
				ParentID:    catID,
				Code:        lcode,
				Title:       l.title,
				Content:     l.content,
				Standard:    l.standard,
				Evidence:    append([]string{}, l.evidence...),
				MaxScore:    l.score,
				ScoringRule: l.rule,
				Deadline:    due,
				Units:       append([]string{}, scopes[l.scope]...),
				KeyTask:     l.key,
				Milestones:  milestones(cal, year, today, due, l.milestones),
			})
			cat.MaxScore += l.score
		}
		d.Indicators = append(d.Indicators, cat)
		d.Indicators = append(d.Indicators, leaves...)
	}
	d.Leads = leads(yearID, year, today)
	return d
}

// milestones places an indicator's milestones in year for an indicator due
// on due, as City describes.
func milestones(cal *assess.Calendar, year int, today, due time.Time, ms []milestone) []assess.Milestone {
	if len(ms) == 0 {
		return nil
	}
	out := make([]assess.Milestone, len(ms))
	spread := false
	for i, m := range ms {
		d := deadline(cal, year, m.month, m.day)
		if d.After(due) || today.Year() == year && !d.After(today) {
			spread = true
		}
		out[i] = assess.Milestone{ID: fmt.Sprintf("m%d", i+1), Title: m.title, Due: d}
	}
	if spread {
		n := cal.WorkdaysUntil(today, due)
		for i := range out {
			d := cal.AddWorkdays(today, max(1, n*(i+1)/(len(out)+1)))
			if d.After(due) {
				d = due
			}
			out[i].Due = d
		}
	}
	return out
}

// leadUnits are the two units the demo's leads are about.
const (
	leadDistrict   = "dongcheng" // 东城区
	leadDepartment = "gongan"    // 市公安局
)

// leads returns the demo's leads for year: six records from the five kinds
// of sending systems about two units, dated days to weeks before today
// within the year.
func leads(yearID string, year int, today time.Time) []wire.LeadRecord {
	first, last := assess.Date(year, 1, 1), assess.Date(year, 12, 31)
	date := func(daysAgo int) string {
		d := today.AddDate(0, 0, -daysAgo)
		if d.Before(first) {
			d = first
		}
		if d.After(last) {
			d = last
		}
		return d.Format(time.DateOnly)
	}
	return []wire.LeadRecord{
		{Source: assess.LeadLitigation, RecordID: fmt.Sprintf("(%d)东行初17号", year), UnitID: leadDistrict, Date: date(41), IndicatorCode: "6.2", YearID: yearID,
			Summary: "区市场监管局作出的行政处罚决定因主要事实认定不清，被人民法院判决撤销。"},
		{Source: assess.LeadReconsideration, RecordID: fmt.Sprintf("DC-FY-%d-008", year), UnitID: leadDistrict, Date: date(27), IndicatorCode: "6.1", YearID: yearID,
			Summary: "区自然资源局作出的不予受理决定被市人民政府行政复议决定撤销，责令重新处理。"},
		{Source: assess.LeadHotline, RecordID: fmt.Sprintf("12345-%d-0452", year), UnitID: leadDistrict, Date: date(9), IndicatorCode: "1.5", YearID: yearID,
			Summary: "市民反映街道便民服务中心窗口推诿，同一事项多次往返仍未办结。"},
		{Source: assess.LeadPetition, RecordID: fmt.Sprintf("XF-%d-0133", year), UnitID: leadDepartment, Date: date(33), IndicatorCode: "6.4", YearID: yearID,
			Summary: "群众反复信访，反映交通违法处罚告知程序不规范、救济途径未告知。"},
		{Source: assess.LeadProposal, RecordID: fmt.Sprintf("RD-%d-045", year), UnitID: leadDepartment, Date: date(20), IndicatorCode: "5.3", YearID: yearID,
			Summary: "市人大代表建议规范电子警察设置，并向社会公开设置地点和依据。"},
		{Source: assess.LeadLitigation, RecordID: fmt.Sprintf("(%d)市行初5号", year), UnitID: leadDepartment, Date: date(4), YearID: yearID,
			Summary: "一起治安管理处罚决定因未依法告知陈述申辩权利，被人民法院确认程序违法。"},
	}
}

// deadline returns month/day of year, or the working day before it when it
// is not a working day.
func deadline(cal *assess.Calendar, year, month, day int) time.Time {
	d := assess.Date(year, time.Month(month), day)
	if !cal.IsWorkday(d) {
		d = cal.AddWorkdays(d, -1)
	}
	return d
}
