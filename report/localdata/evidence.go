package localdata

import (
	"context"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report"
)

// Checklist returns the evidence checklist data of one unit in year y: each
// task with its evidence files (see Evidence), its status as the user sees
// it (a draft or a submit waiting to be sent counts).
func (s Source) Checklist(ctx context.Context, y assess.Year, unit assess.Unit) (report.ChecklistData, error) {
	sn, err := s.load(ctx, y, unit.ID)
	if err != nil {
		return report.ChecklistData{}, err
	}
	d := report.ChecklistData{Year: y, Unit: unit, GeneratedAt: s.Now}
	for _, v := range sn.tasks {
		files, err := s.Evidence(ctx, v)
		if err != nil {
			return d, err
		}
		t := v.Task
		t.Status = v.Local
		d.Items = append(d.Items, report.ChecklistItem{Indicator: indicator(v), Task: t, Files: files})
	}
	return d, nil
}

// Bundle returns the evidence files of year y to put in an evidence bundle:
// those of one unit, or with a zero unit of every unit the user may see.
// The files are those Evidence lists for each task.
func (s Source) Bundle(ctx context.Context, y assess.Year, unit assess.Unit) ([]report.BundleItem, error) {
	sn, err := s.load(ctx, y, unit.ID)
	if err != nil {
		return nil, err
	}
	var out []report.BundleItem
	for _, v := range sn.tasks {
		files, err := s.Evidence(ctx, v)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			out = append(out, report.BundleItem{Unit: sn.unit(v.UnitID), Indicator: indicator(v), File: f})
		}
	}
	return out, nil
}

// Evidence returns a task's evidence files: the attachments of its latest
// submission, or before the first submission those of the draft (the one
// on this PC, else the unit's draft on the server); then the files of the
// rectification response, if any. Each file is listed once, with the time
// it reached the server: when the first submission carrying it was made,
// when the server's draft or the rectification response was saved, and
// zero for a file only in the local draft.
func (s Source) Evidence(ctx context.Context, v localdb.TaskView) ([]report.EvidenceFile, error) {
	subs, err := s.DB.Submissions(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	var out []report.EvidenceFile
	seen := map[string]bool{}
	add := func(a assess.Attachment, at time.Time) {
		if seen[a.Hash] {
			return
		}
		seen[a.Hash] = true
		out = append(out, report.EvidenceFile{Attachment: a, UploadedAt: at})
	}
	switch {
	case len(subs) > 0:
		latest := subs[0]
		first := map[string]time.Time{}
		for _, sub := range subs {
			if sub.Version > latest.Version {
				latest = sub
			}
			for _, a := range sub.Attachments {
				if t, ok := first[a.Hash]; !ok || sub.SubmittedAt.Before(t) {
					first[a.Hash] = sub.SubmittedAt
				}
			}
		}
		for _, a := range latest.Attachments {
			add(a, first[a.Hash])
		}
	case v.Draft != nil:
		for _, a := range v.Draft.Attachments {
			add(a, time.Time{})
		}
	case v.ServerDraft != nil:
		for _, a := range v.ServerDraft.Attachments {
			add(a, v.ServerDraft.UpdatedAt)
		}
	}
	rect, err := s.rect(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	if rect != nil {
		for _, a := range rect.Attachments {
			add(a, rect.RespondedAt)
		}
	}
	return out, nil
}
