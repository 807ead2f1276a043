package sqlite

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// taskInYear loads the task a change names and the year it belongs to,
// which must be published and not closed.
func (o *op) taskInYear(taskID string) (assess.Task, assess.Year, error) {
	o.subject = taskID
	task, found, err := o.task(taskID)
	if err != nil {
		return task, assess.Year{}, err
	}
	if !found {
		return task, assess.Year{}, assess.Errorf(assess.ENotFound, "指标任务“%s”不存在，请先同步 (no such task)", printable(taskID))
	}
	y, err := o.writableYear(task.YearID)
	if err != nil {
		return task, y, err
	}
	if y.State != assess.YearPublished {
		return task, y, assess.Errorf(assess.EConflict, "%s考核年度尚未发布，不能填报或审核 (the year is not published)", y.Name)
	}
	return task, y, nil
}

// ownTask is taskInYear for a reporter, who may only touch the tasks of its
// own unit.
func (o *op) ownTask(taskID string) (assess.Task, assess.Year, error) {
	task, y, err := o.taskInYear(taskID)
	if task.ID != "" && task.UnitID != o.user.UnitID {
		return task, y, assess.Errorf(assess.EForbidden, "只能填报本单位的指标 (you may only file for your own unit)")
	}
	return task, y, err
}

// applyDraftSave stores the unit's working draft of a task.
func applyDraftSave(o *op, data json.RawMessage) error {
	var d wire.DraftSave
	if err := decode(data, &d); err != nil {
		return err
	}
	task, _, err := o.ownTask(d.TaskID)
	if err != nil {
		return err
	}
	if err := assess.ValidateStatement(d.Statement, false); err != nil {
		return err
	}
	if err := checkAttachments(d.Attachments); err != nil {
		return err
	}
	switch task.Status {
	case assess.Scored:
		return assess.Errorf(assess.EConflict, "该指标已赋分，不能再修改草稿 (the task is already scored)")
	case assess.Submitted:
		return assess.Errorf(assess.EConflict, "该指标已提交，正在等待审核，不能修改草稿 (submitted and awaiting review)")
	}
	if !task.Status.Editable() {
		return assess.Errorf(assess.EConflict, "该指标当前状态为“%s”，不能修改草稿 (the task cannot be edited now)", task.Status.Label())
	}
	if d.Attachments == nil {
		d.Attachments = []assess.Attachment{}
	}
	if task.Status == assess.NotStarted {
		if task, err = task.Transition(assess.Draft); err != nil {
			return err
		}
		task.UpdatedAt = o.now
		if err := o.putTask(task); err != nil {
			return err
		}
	}
	if err := o.putDraft(task.UnitID, d); err != nil {
		return err
	}
	return o.grantAttachments(task.UnitID, d.Attachments)
}

// applySubmit submits a new, immutable version of a task.
func applySubmit(o *op, data json.RawMessage) error {
	var s wire.Submit
	if err := decode(data, &s); err != nil {
		return err
	}
	task, _, err := o.ownTask(s.TaskID)
	if err != nil {
		return err
	}
	if err := assess.ValidateStatement(s.Statement, true); err != nil {
		return err
	}
	if len(s.Attachments) == 0 {
		return assess.Errorf(assess.EInvalid, "请至少添加一份佐证材料后再提交 (attach at least one evidence file)")
	}
	if err := checkAttachments(s.Attachments); err != nil {
		return err
	}
	if task.Status == assess.Scored {
		_, err := task.Transition(assess.Submitted)
		return err
	}
	if s.BaseVersion != task.Version {
		if s.BaseVersion < task.Version {
			return assess.Errorf(assess.EConflict, "该指标已有第 %d 版提交，请先同步查看后再提交 (the server already has version %d: sync first)", task.Version, task.Version)
		}
		return assess.Errorf(assess.EConflict, "提交基于第 %d 版，但服务器上最新为第 %d 版，请先同步 (base version %d is ahead of the server's %d)", s.BaseVersion, task.Version, s.BaseVersion, task.Version)
	}
	next, err := task.Transition(assess.Submitted)
	if err != nil {
		return err
	}
	atts, err := o.requireBlobs(s.Attachments)
	if err != nil {
		return err
	}
	next.Version = task.Version + 1
	next.UpdatedAt = o.now
	sub := assess.Submission{
		ID:          submissionID(task.ID, next.Version),
		TaskID:      task.ID,
		UnitID:      task.UnitID,
		Version:     next.Version,
		Statement:   s.Statement,
		Attachments: atts,
		SubmittedBy: o.user.ID,
		SubmittedAt: o.now,
	}
	if err := o.addSubmission(sub); err != nil {
		return err
	}
	if err := o.putTask(next); err != nil {
		return err
	}
	if err := o.deleteDraft(task.ID, task.UnitID); err != nil {
		return err
	}
	return o.grantAttachments(task.UnitID, atts)
}

// submissionID is the ID of a task's submission version; its review has the
// same ID in the review entity.
func submissionID(taskID string, version int) string { return fmt.Sprintf("%s#%d", taskID, version) }

// reviewTarget loads the task a reviewer decides on and checks that the
// decision is about its current, still undecided version: of two reviewers
// deciding the same version, the second is refused.
func (o *op) reviewTarget(d wire.ReviewDecision) (assess.Task, assess.Year, error) {
	task, y, err := o.taskInYear(d.TaskID)
	if err != nil {
		return task, y, err
	}
	if err := checkText(d.Comment, "审核意见"); err != nil {
		return task, y, err
	}
	return task, y, nil
}

func checkReviewVersion(task assess.Task, version int) error {
	if version != task.Version {
		return assess.Errorf(assess.EConflict, "审核的版本已过期：该指标最新为第 %d 版提交，请先同步后再审核 (the version reviewed is out of date: the latest is version %d)", task.Version, task.Version)
	}
	if task.Status != assess.Submitted && task.Version > 0 {
		return assess.Errorf(assess.EConflict, "该版本已由其他审核人员处理（当前状态：%s），请先同步查看 (this version has already been reviewed)", task.Status.Label())
	}
	return nil
}

// applyReturn returns a submitted version for more material.
func applyReturn(o *op, data json.RawMessage) error {
	var d wire.ReviewDecision
	if err := decode(data, &d); err != nil {
		return err
	}
	task, _, err := o.reviewTarget(d)
	if err != nil {
		return err
	}
	if err := checkReviewVersion(task, d.Version); err != nil {
		return err
	}
	next, err := task.Transition(assess.Returned)
	if err != nil {
		return err
	}
	next.ReviewVersion = d.Version
	next.UpdatedAt = o.now
	if err := o.addReview(assess.Review{
		ID: submissionID(task.ID, d.Version), TaskID: task.ID, UnitID: task.UnitID, Version: d.Version,
		Decision: assess.Return, Comment: d.Comment, Reviewer: o.user.ID, CreatedAt: o.now,
	}); err != nil {
		return err
	}
	return o.putTask(next)
}

// applyScore scores a submitted version. A score below the indicator's
// threshold opens a rectification with a deadline in working days.
func applyScore(o *op, data json.RawMessage) error {
	var d wire.ReviewDecision
	if err := decode(data, &d); err != nil {
		return err
	}
	task, y, err := o.reviewTarget(d)
	if err != nil {
		return err
	}
	in, found, err := o.indicator(task.IndicatorID)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("task %s: indicator %s is missing", task.ID, task.IndicatorID)
	}
	if err := assess.ValidateScore(d.Score, in.MaxScore); err != nil {
		return err
	}
	if err := checkReviewVersion(task, d.Version); err != nil {
		return err
	}
	next, err := task.Transition(assess.Scored)
	if err != nil {
		return err
	}
	next.Score, next.Scored, next.ReviewVersion, next.UpdatedAt = d.Score, true, d.Version, o.now
	if err := o.addReview(assess.Review{
		ID: submissionID(task.ID, d.Version), TaskID: task.ID, UnitID: task.UnitID, Version: d.Version,
		Decision: assess.Score, Score: d.Score, Comment: d.Comment, Reviewer: o.user.ID, CreatedAt: o.now,
	}); err != nil {
		return err
	}
	if err := o.putTask(next); err != nil {
		return err
	}
	if d.Score < in.Threshold() {
		if err := o.openRectification(next, in, y, d.Comment); err != nil {
			return err
		}
	}
	return o.touchUnit(y.ID, task.UnitID)
}

// touchUnit marks the standings of the unit's group in the year for
// recomputing after the batch.
func (o *op) touchUnit(yearID, unitID string) error {
	u, found, err := o.unit(unitID)
	if err != nil || !found {
		return err
	}
	o.dirty[standingKey{YearID: yearID, GroupID: u.GroupID}] = true
	return nil
}

// defaultRectifyDays is the working days a rectification gets when the year
// does not say.
const defaultRectifyDays = 10

func (o *op) openRectification(task assess.Task, in assess.Indicator, y assess.Year, comment string) error {
	days := y.RectifyDays
	if days <= 0 {
		days = defaultRectifyDays
	}
	demand := comment
	if strings.TrimSpace(demand) == "" {
		demand = fmt.Sprintf("该指标得分 %s 分，低于 %s 分，请在期限内整改 (the score is below the threshold: rectify before the deadline)",
			assess.FormatScore(task.Score), assess.FormatScore(in.Threshold()))
	}
	return o.putRectification(assess.Rectification{
		ID:       task.ID,
		TaskID:   task.ID,
		UnitID:   task.UnitID,
		State:    assess.RectOpen,
		Demand:   demand,
		Deadline: assess.ChinaCalendar().AddWorkdays(o.now, days),
		OpenedAt: o.now,
	})
}
