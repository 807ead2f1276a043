package localdata

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
)

// IndicatorPlan is what importing an indicator workbook would queue.
type IndicatorPlan struct {
	// Save are the new and changed indicators, parents before children.
	Save      []assess.Indicator
	Added     int // indicators the year does not have yet
	Changed   int // indicators whose content differs from the year's
	Unchanged int // indicators identical to the year's, skipped
	// Problems are changes the server would refuse because of the year's
	// tasks, each a Chinese sentence naming the indicator. When there are
	// any, nothing may be queued.
	Problems []string
}

// PlanIndicators matches imported indicators (from report.ImportIndicators)
// to the indicators year y already holds on this PC, waiting edits
// included. An imported indicator whose code the year already uses takes
// that indicator's ID (and its children's parent IDs follow), so that a
// workbook updates the tree however its indicators were first made.
// Indicators equal to the year's are skipped, so importing the same
// workbook twice queues nothing the second time. It also lists what the
// server would refuse: a sub-indicator under an indicator already given
// out as tasks, and a unit taken off an indicator it has already submitted.
//
// Milestones are compared like every other field: an indicator whose
// milestones differ is saved with the imported ones (none, when it has none).
func (s Source) PlanIndicators(ctx context.Context, y assess.Year, imported []assess.Indicator) (IndicatorPlan, error) {
	return s.planIndicators(ctx, y, imported, false)
}

// PlanIndicatorWorkbook plans an indicator workbook as PlanIndicators does,
// except that the workbook has no column for milestones: each indicator
// keeps the milestones it has in the year.
func (s Source) PlanIndicatorWorkbook(ctx context.Context, y assess.Year, imported []assess.Indicator) (IndicatorPlan, error) {
	return s.planIndicators(ctx, y, imported, true)
}

func (s Source) planIndicators(ctx context.Context, y assess.Year, imported []assess.Indicator, keepMilestones bool) (IndicatorPlan, error) {
	existing, err := s.DB.Indicators(ctx, y.ID)
	if err != nil {
		return IndicatorPlan{}, err
	}
	var p IndicatorPlan
	byID := map[string]assess.Indicator{}
	idOfCode := map[string]string{}
	for _, in := range existing {
		byID[in.ID] = in
		idOfCode[in.Code] = in.ID
	}
	rename := map[string]string{} // imported ID → the year's ID
	for _, in := range imported {
		if id, ok := idOfCode[in.Code]; ok {
			rename[in.ID] = id
		}
	}
	tasks := map[string][]int{} // indicator ID → versions of its tasks
	units := map[string]map[string]int{}
	unitNames := map[string]string{}
	if y.State == assess.YearPublished {
		views, err := s.DB.Tasks(ctx, localdb.TaskFilter{YearID: y.ID})
		if err != nil {
			return p, err
		}
		for _, v := range views {
			unitNames[v.UnitID] = cmp.Or(v.UnitName, v.UnitID)
			tasks[v.IndicatorID] = append(tasks[v.IndicatorID], v.Version)
			if units[v.IndicatorID] == nil {
				units[v.IndicatorID] = map[string]int{}
			}
			units[v.IndicatorID][v.UnitID] = v.Version
		}
	}
	for _, in := range imported {
		if id, ok := rename[in.ID]; ok {
			in.ID = id
		}
		if id, ok := rename[in.ParentID]; ok {
			in.ParentID = id
		}
		old, found := byID[in.ID]
		if found && keepMilestones {
			in.Milestones = old.Milestones
		}
		if found && sameIndicator(old, in) {
			p.Unchanged++
			continue
		}
		if in.ParentID != "" && len(tasks[in.ParentID]) > 0 {
			if parent, ok := byID[in.ParentID]; ok {
				p.Problems = append(p.Problems, fmt.Sprintf("指标 %s 已下发为任务，不能再在其下添加下级指标 %s；请把 %s 作为单独的指标 (indicator %s already has tasks)", parent.Code, in.Code, in.Code, parent.Code))
			}
		}
		for unitID, version := range units[in.ID] {
			if version > 0 && !slices.Contains(in.Units, unitID) {
				p.Problems = append(p.Problems, fmt.Sprintf("单位“%s”已提交指标 %s，不能取消分配；请在“分配单位”中保留该单位 (unit %s has already submitted %s)", unitNames[unitID], in.Code, unitID, in.Code))
			}
		}
		if found {
			p.Changed++
		} else {
			p.Added++
		}
		p.Save = append(p.Save, in)
	}
	slices.Sort(p.Problems)
	return p, nil
}

// sameIndicator reports whether two versions of an indicator say the same:
// every field equal, empty lists equal to none, deadlines the same instant,
// assigned units the same set.
func sameIndicator(a, b assess.Indicator) bool {
	return a.ID == b.ID && a.YearID == b.YearID && a.ParentID == b.ParentID && a.Code == b.Code &&
		a.Title == b.Title && a.Content == b.Content && a.Standard == b.Standard &&
		slices.Equal(a.Evidence, b.Evidence) && a.MaxScore == b.MaxScore && a.ScoringRule == b.ScoringRule &&
		a.Deadline.Equal(b.Deadline) && a.LowScore == b.LowScore && a.KeyTask == b.KeyTask &&
		sameSet(a.Units, b.Units) && assess.SameMilestones(a.Milestones, b.Milestones)
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// ExternalPlan is what importing an external scores workbook would queue.
type ExternalPlan struct {
	Save      []assess.ExternalScore
	Added     int
	Changed   int
	Unchanged int
}

// PlanExternals matches imported external scores (from
// report.ImportExternal or report.ImportSurvey) to the scores year y
// already holds on this PC, waiting edits included: a score with the same
// unit, source, score, maximum, note, sample size and item scores, and no
// other source document, is skipped, so importing the same file twice
// queues nothing the second time. A changed score without a source document
// of its own keeps the one the year's score names.
func (s Source) PlanExternals(ctx context.Context, y assess.Year, imported []assess.ExternalScore) (ExternalPlan, error) {
	existing, err := s.DB.Externals(ctx, y.ID)
	if err != nil {
		return ExternalPlan{}, err
	}
	byID := map[string]assess.ExternalScore{}
	for _, e := range existing {
		byID[e.ID] = e
	}
	var p ExternalPlan
	for _, e := range imported {
		old, found := byID[e.ID]
		if found && sameExternal(old, e) {
			p.Unchanged++
			continue
		}
		if found {
			if e.Document == "" {
				e.Document, e.DocumentName = old.Document, old.DocumentName
			}
			p.Changed++
		} else {
			p.Added++
		}
		p.Save = append(p.Save, e)
	}
	return p, nil
}

// sameExternal reports whether importing e over old would change nothing:
// the same results, and no other source document.
func sameExternal(old, e assess.ExternalScore) bool {
	return old.Score == e.Score && old.Max == e.Max && old.Note == e.Note && old.SampleSize == e.SampleSize &&
		slices.Equal(old.Items, e.Items) &&
		(e.Document == "" || e.Document == old.Document) && (e.DocumentName == "" || e.DocumentName == old.DocumentName)
}
