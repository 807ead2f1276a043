package localdata

import (
	"context"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/report"
)

// Overview is the state of every task of a year, the input of the city
// summary report and of the progress, warning and rectification downloads.
type Overview struct {
	Year      assess.Year
	Groups    []assess.Group
	Units     []assess.Unit // the units that have tasks in the year, by group and name
	Standings []assess.Standing
	Progress  []report.UnitProgress // per unit, in the order of Units
	Warnings  []report.WarningRow   // one per task, warning or not
	// Rectifications are every rectification of the year, open or closed.
	Rectifications []report.RectificationRow
}

// Overview reads the state of every task of year y the user may see: its
// warning at Now, the progress counts per unit, the rectifications, and the
// standings (the server's when it has one for every unit, else ranked here
// with assess.Rank).
func (s Source) Overview(ctx context.Context, y assess.Year) (Overview, error) {
	sn, err := s.load(ctx, y, "")
	if err != nil {
		return Overview{}, err
	}
	o := Overview{Year: y, Groups: sn.groups, Units: sn.activeUnits(), Standings: sn.allStandings()}
	progress := map[string]*report.UnitProgress{}
	for _, u := range o.Units {
		progress[u.ID] = &report.UnitProgress{UnitID: u.ID}
	}
	for _, v := range sn.tasks {
		rect, err := s.rect(ctx, v.ID)
		if err != nil {
			return o, err
		}
		w := s.warning(sn, v, rect)
		u := sn.unit(v.UnitID)
		in := indicator(v)
		progress[u.ID].Add(v.Task, w)
		o.Warnings = append(o.Warnings, report.WarningRow{Unit: u, Indicator: in, Status: v.Status, Warning: w})
		if rect != nil {
			o.Rectifications = append(o.Rectifications, report.RectificationRow{
				Unit: u, Indicator: in, Score: v.Score, Rectification: *rect,
				Warning: assess.RectWarning(*rect, s.Now, s.Calendar),
			})
		}
	}
	for _, u := range o.Units {
		o.Progress = append(o.Progress, *progress[u.ID])
	}
	return o, nil
}

// CitySummary returns the city summary report data of year y: the
// overview with only the rectifications not yet closed.
func (s Source) CitySummary(ctx context.Context, y assess.Year) (report.CitySummaryData, error) {
	o, err := s.Overview(ctx, y)
	if err != nil {
		return report.CitySummaryData{}, err
	}
	d := report.CitySummaryData{
		Year: y, Groups: o.Groups, Units: o.Units, Standings: o.Standings, Progress: o.Progress,
		Issuer: s.Issuer, GeneratedAt: s.Now,
	}
	for _, r := range o.Rectifications {
		if r.Rectification.State != assess.RectClosed {
			d.Rectifications = append(d.Rectifications, r)
		}
	}
	return d, nil
}

// Matrix returns the score download data of year y: the units and leaf
// indicators that have tasks, the tasks as the server holds them, and the
// standings (the server's, or ranked here as Overview does).
func (s Source) Matrix(ctx context.Context, y assess.Year) (report.MatrixData, error) {
	sn, err := s.load(ctx, y, "")
	if err != nil {
		return report.MatrixData{}, err
	}
	d := report.MatrixData{Year: y, Groups: sn.groups, Units: sn.activeUnits(), Standings: sn.allStandings()}
	seen := map[string]bool{}
	for _, v := range sn.tasks {
		d.Tasks = append(d.Tasks, v.Task)
		if in := indicator(v); !seen[in.ID] {
			seen[in.ID] = true
			d.Leaves = append(d.Leaves, in)
		}
	}
	return d, nil
}
