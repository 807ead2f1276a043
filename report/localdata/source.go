package localdata

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
)

// Source reads the local store for documents.
type Source struct {
	DB *localdb.DB
	// Now is when the documents are made: their generation time and the
	// moment their warnings are computed at.
	Now time.Time
	// Issuer is the office that issues the feedback and summary reports
	// (落款), e.g. 市委依法治市办; empty leaves the signature out.
	Issuer string
	// Calendar is the working-day calendar of the warnings; nil means
	// assess.ChinaCalendar().
	Calendar *assess.Calendar
}

// Year returns the assessment year with the given ID or name. With "" it
// returns the year documents are made for by default: the newest year that
// is published or closed, else the newest year.
func (s Source) Year(ctx context.Context, ref string) (assess.Year, error) {
	return s.year(ctx, ref, func(y assess.Year) bool { return y.State != assess.YearDraft })
}

// ImportYear returns the assessment year with the given ID or name. With ""
// it returns the year imports go to by default: the newest year that is not
// closed.
func (s Source) ImportYear(ctx context.Context, ref string) (assess.Year, error) {
	y, err := s.year(ctx, ref, func(y assess.Year) bool { return y.State != assess.YearClosed })
	if err == nil && ref == "" && y.State == assess.YearClosed {
		return y, assess.Errorf(assess.EClosed, "所有考核年度都已关闭，没有可以导入的年度 (every year is closed)")
	}
	return y, err
}

// year finds a year by ID or name, or with "" the newest year that prefer
// accepts, else the newest year.
func (s Source) year(ctx context.Context, ref string, prefer func(assess.Year) bool) (assess.Year, error) {
	ys, err := s.DB.Years(ctx)
	if err != nil {
		return assess.Year{}, err
	}
	if len(ys) == 0 {
		return assess.Year{}, assess.Errorf(assess.ENotFound, "本机还没有考核年度数据，请先运行 yiwangtong sync 同步 (no assessment year here; sync first)")
	}
	ref = strings.TrimSpace(ref)
	if ref != "" {
		for _, y := range ys {
			if y.ID == ref {
				return y, nil
			}
		}
		for _, y := range ys {
			if y.Name == ref {
				return y, nil
			}
		}
		ids := make([]string, len(ys))
		for i, y := range ys {
			ids[i] = y.ID
		}
		return assess.Year{}, assess.Errorf(assess.ENotFound, "没有找到考核年度“%s”，本机有：%s；如是新建的年度请先同步 (no such year)", ref, strings.Join(ids, "、"))
	}
	slices.SortFunc(ys, func(a, b assess.Year) int { return cmp.Compare(b.ID, a.ID) })
	for _, y := range ys {
		if prefer(y) {
			return y, nil
		}
	}
	return ys[0], nil
}

// Unit returns the unit with the given ID or name.
func (s Source) Unit(ctx context.Context, ref string) (assess.Unit, error) {
	us, err := s.DB.Units(ctx)
	if err != nil {
		return assess.Unit{}, err
	}
	ref = strings.TrimSpace(ref)
	for _, u := range us {
		if u.ID == ref {
			return u, nil
		}
	}
	var found []assess.Unit
	for _, u := range us {
		if u.Name == ref {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 0:
		return assess.Unit{}, assess.Errorf(assess.ENotFound, "没有找到单位“%s”，请写单位编号或全称；如是新增的单位请先同步 (no such unit)", ref)
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, u := range found {
		ids[i] = u.ID
	}
	return assess.Unit{}, assess.Errorf(assess.EInvalid, "有 %d 个单位都叫“%s”，请改用单位编号：%s (ambiguous unit name)", len(found), ref, strings.Join(ids, "、"))
}

// CheckUnit refuses a document of unitID to a user who may not see it:
// reporting users see only their own unit; reviewers see every unit.
func CheckUnit(u assess.User, unitID string) error {
	if u.CanSeeUnit(unitID) {
		return nil
	}
	if u.Role == assess.Reporter {
		return assess.Errorf(assess.EForbidden, "填报用户只能生成本单位（%s）的文档，不能生成其他单位的 (reporting users may only print their own unit)", u.UnitID)
	}
	return assess.Errorf(assess.EForbidden, "该账号不能查看单位“%s”的数据 (not allowed to see this unit)", unitID)
}

// CheckReviewer refuses a city-wide document or download to anyone but a
// reviewer.
func CheckReviewer(u assess.User) error {
	if u.Role != assess.Reviewer || u.Disabled {
		return assess.Errorf(assess.EForbidden, "只有审核用户可以生成全市汇总和数据下载 (reviewers only)")
	}
	return nil
}

// CheckAdmin refuses an indicator import to anyone but an administrator.
func CheckAdmin(u assess.User) error {
	if u.Role != assess.Reviewer || !u.Admin || u.Disabled {
		return assess.Errorf(assess.EForbidden, "只有系统管理员（审核用户）可以导入指标 (administrators only)")
	}
	return nil
}

// snapshot is what a year's documents are made from.
type snapshot struct {
	year      assess.Year
	groups    []assess.Group
	units     []assess.Unit // every unit known, by group and name
	unitByID  map[string]assess.Unit
	inds      []assess.Indicator // the year's indicators, by code
	tasks     []localdb.TaskView // the year's tasks (of one unit, or all)
	externals []assess.ExternalScore
	standings []assess.Standing
	// leads are the year's leads taken into account (of one unit, or all).
	leads []assess.Lead
	// filings are the year's milestone filings: task ID → milestone ID →
	// filing.
	filings map[string]map[string]assess.MilestoneFiling
}

// load reads the year's records, with the tasks of unitID ("" for every
// unit the user may see).
func (s Source) load(ctx context.Context, y assess.Year, unitID string) (*snapshot, error) {
	sn := &snapshot{year: y, unitByID: map[string]assess.Unit{}}
	var err error
	if sn.groups, err = s.DB.Groups(ctx); err != nil {
		return nil, err
	}
	if sn.units, err = s.DB.Units(ctx); err != nil {
		return nil, err
	}
	for _, u := range sn.units {
		sn.unitByID[u.ID] = u
	}
	if sn.inds, err = s.DB.Indicators(ctx, y.ID); err != nil {
		return nil, err
	}
	if sn.tasks, err = s.DB.Tasks(ctx, localdb.TaskFilter{YearID: y.ID, UnitID: unitID}); err != nil {
		return nil, err
	}
	for _, v := range sn.tasks {
		if _, ok := sn.unitByID[v.UnitID]; !ok {
			u := assess.Unit{ID: v.UnitID, Name: cmp.Or(v.UnitName, v.UnitID)}
			sn.unitByID[u.ID] = u
			sn.units = append(sn.units, u)
		}
	}
	if sn.externals, err = s.DB.Externals(ctx, y.ID); err != nil {
		return nil, err
	}
	if sn.standings, err = s.DB.Standings(ctx, y.ID); err != nil {
		return nil, err
	}
	if sn.leads, err = s.DB.Leads(ctx, localdb.LeadFilter{YearID: y.ID, UnitID: unitID, OnlyConsidered: true}); err != nil {
		return nil, err
	}
	if sn.filings, err = s.DB.YearMilestoneFilings(ctx, y.ID); err != nil {
		return nil, err
	}
	return sn, nil
}

// unit returns a unit by ID, a bare one when it has not been pulled.
func (sn *snapshot) unit(id string) assess.Unit {
	if u, ok := sn.unitByID[id]; ok {
		return u
	}
	return assess.Unit{ID: id, Name: id}
}

// indicator returns a task's indicator, a stand-in named by its ID when it
// has not been pulled.
func indicator(v localdb.TaskView) assess.Indicator {
	if v.Indicator.ID != "" {
		return v.Indicator
	}
	return assess.Indicator{ID: v.IndicatorID, YearID: v.YearID, Code: v.IndicatorID, Title: "（指标尚未同步）"}
}

// activeUnits returns the units that have tasks in the snapshot, by group
// and name.
func (sn *snapshot) activeUnits() []assess.Unit {
	has := map[string]bool{}
	for _, v := range sn.tasks {
		has[v.UnitID] = true
	}
	var out []assess.Unit
	for _, u := range sn.units {
		if has[u.ID] {
			out = append(out, u)
		}
	}
	return out
}

// group returns a group by ID, a bare one when unknown.
func (sn *snapshot) group(id string) assess.Group {
	for _, g := range sn.groups {
		if g.ID == id {
			return g
		}
	}
	return assess.Group{ID: id, Name: id}
}

// externalsOf returns a unit's external scores.
func (sn *snapshot) externalsOf(unitID string) []assess.ExternalScore {
	var out []assess.ExternalScore
	for _, e := range sn.externals {
		if e.UnitID == unitID {
			out = append(out, e)
		}
	}
	return out
}

// leadsOf returns a unit's leads taken into account.
func (sn *snapshot) leadsOf(unitID string) []assess.Lead {
	var out []assess.Lead
	for _, l := range sn.leads {
		if l.UnitID == unitID {
			out = append(out, l)
		}
	}
	return out
}

// UnitScores returns what each of units' totals is made of, in the order of
// units, from the year's tasks, external scores and leads taken into
// account as this PC holds them: as on the server, the system score is the
// sum of the scored tasks' scores less the leads' deductions (see
// assess.UnitScores.NetSystemScore), and each source's external score is
// its latest.
func UnitScores(units []assess.Unit, tasks []localdb.TaskView, exts []assess.ExternalScore, leads []assess.Lead) []assess.UnitScores {
	out := make([]assess.UnitScores, len(units))
	at := make(map[string]int, len(units))
	for i, u := range units {
		out[i] = assess.UnitScores{UnitID: u.ID, GroupID: u.GroupID, Name: u.Name, External: map[assess.Source]assess.ExternalScore{}}
		at[u.ID] = i
	}
	for _, v := range tasks {
		if i, ok := at[v.UnitID]; ok {
			out[i].SystemMax += v.Indicator.MaxScore
			if v.Status == assess.Scored || v.Scored {
				out[i].SystemScore += v.Score
			}
		}
	}
	byUnit := map[string][]assess.Lead{}
	for _, l := range leads {
		byUnit[l.UnitID] = append(byUnit[l.UnitID], l)
	}
	for id, ls := range byUnit {
		if i, ok := at[id]; ok {
			out[i].Deduction = assess.Deductions(ls)
		}
	}
	for _, e := range exts {
		if i, ok := at[e.UnitID]; ok {
			if old, seen := out[i].External[e.Source]; !seen || e.UpdatedAt.After(old.UpdatedAt) {
				out[i].External[e.Source] = e
			}
		}
	}
	return out
}

// allStandings returns the server's standings of the units with tasks when
// it has one for each of them; otherwise it ranks them here with
// assess.Rank, as the server does.
func (sn *snapshot) allStandings() []assess.Standing {
	units := sn.activeUnits()
	have := map[string]bool{}
	for _, st := range sn.standings {
		have[st.UnitID] = true
	}
	complete := true
	for _, u := range units {
		complete = complete && have[u.ID]
	}
	if complete {
		return sn.standings
	}
	return assess.Rank(sn.year.ID, sn.year.Weights, UnitScores(units, sn.tasks, sn.externals, sn.leads))
}

// standingOf returns the server's standing of one unit; without one, the
// unit's points are computed here and it is left unranked (rank 0), since
// a reporting user's PC does not hold the other units' scores.
func (sn *snapshot) standingOf(u assess.Unit) assess.Standing {
	for _, st := range sn.standings {
		if st.UnitID == u.ID {
			return st
		}
	}
	st := assess.Rank(sn.year.ID, sn.year.Weights, UnitScores([]assess.Unit{u}, sn.tasks, sn.externals, sn.leads))[0]
	st.Rank, st.OutOf = 0, 0
	return st
}

// rect returns a task's rectification, nil when it has none.
func (s Source) rect(ctx context.Context, taskID string) (*assess.Rectification, error) {
	r, err := s.DB.Rectification(ctx, taskID)
	switch {
	case err == nil:
		return &r, nil
	case assess.ErrorCode(err) == assess.ENotFound:
		return nil, nil
	}
	return nil, err
}

// warning computes a task's warning at Now from the server's copy, its
// milestones included.
func (s Source) warning(sn *snapshot, v localdb.TaskView, rect *assess.Rectification) assess.Warning {
	return assess.TaskWarning(v.Task, indicator(v), rect, sn.filings[v.ID], s.Now, s.Calendar, sn.year.WarnDays)
}
