package localdata

import (
	"context"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report"
)

// Feedback returns the feedback report data of one unit in year y: every
// task of the unit with its latest review, rectification, warning and
// milestones (where the unit stands on each at Now), the unit's external
// scores, the leads taken into account, and its standing (the server's,
// which includes the leads' deductions; without one the points are computed
// here the same way and the unit is left unranked).
func (s Source) Feedback(ctx context.Context, y assess.Year, unit assess.Unit) (report.FeedbackData, error) {
	sn, err := s.load(ctx, y, unit.ID)
	if err != nil {
		return report.FeedbackData{}, err
	}
	return s.feedback(ctx, sn, unit, sn.tasks)
}

// FeedbackAll returns the feedback report data of every unit that has tasks
// in year y, by group and name.
func (s Source) FeedbackAll(ctx context.Context, y assess.Year) ([]report.FeedbackData, error) {
	sn, err := s.load(ctx, y, "")
	if err != nil {
		return nil, err
	}
	byUnit := map[string][]localdb.TaskView{}
	for _, v := range sn.tasks {
		byUnit[v.UnitID] = append(byUnit[v.UnitID], v)
	}
	var out []report.FeedbackData
	for _, u := range sn.activeUnits() {
		d, err := s.feedback(ctx, sn, u, byUnit[u.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func (s Source) feedback(ctx context.Context, sn *snapshot, u assess.Unit, tasks []localdb.TaskView) (report.FeedbackData, error) {
	d := report.FeedbackData{
		Year:        sn.year,
		Unit:        u,
		Group:       sn.group(u.GroupID),
		Standing:    sn.standingOf(u),
		External:    sn.externalsOf(u.ID),
		Leads:       sn.leadsOf(u.ID),
		Issuer:      s.Issuer,
		GeneratedAt: s.Now,
	}
	for _, in := range sn.inds {
		if in.ParentID == "" {
			d.Categories = append(d.Categories, in)
		}
	}
	for _, v := range tasks {
		rect, err := s.rect(ctx, v.ID)
		if err != nil {
			return d, err
		}
		reviews, err := s.DB.Reviews(ctx, v.ID)
		if err != nil {
			return d, err
		}
		in := indicator(v)
		row := report.FeedbackRow{Indicator: in, Task: v.Task, Rectification: rect, Warning: s.warning(sn, v, rect),
			Milestones: report.NewMilestoneStatuses(in, sn.filings[v.ID], s.Now, s.Calendar)}
		if n := len(reviews); n > 0 {
			row.Review = &reviews[n-1]
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}
