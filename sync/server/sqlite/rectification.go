package sqlite

import (
	"encoding/json"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func (o *op) openRect(taskID string) (assess.Rectification, error) {
	r, found, err := o.rectification(taskID)
	if err != nil {
		return r, err
	}
	if !found {
		return r, assess.Errorf(assess.ENotFound, "该指标没有整改事项 (no rectification for this task)")
	}
	return r, nil
}

// applyRectRespond records the unit's answer to a rectification demand.
func applyRectRespond(o *op, data json.RawMessage) error {
	var d wire.RectRespond
	if err := decode(data, &d); err != nil {
		return err
	}
	task, _, err := o.ownTask(d.TaskID)
	if err != nil {
		return err
	}
	r, err := o.openRect(task.ID)
	if err != nil {
		return err
	}
	if strings.TrimSpace(d.Response) == "" {
		return assess.Errorf(assess.EInvalid, "请填写整改情况说明后再提交 (write the rectification response)")
	}
	if err := checkText(d.Response, "整改情况说明"); err != nil {
		return err
	}
	if err := checkAttachments(d.Attachments); err != nil {
		return err
	}
	next, err := r.Transition(assess.RectResponded)
	if err != nil {
		return err
	}
	atts, err := o.requireBlobs(d.Attachments)
	if err != nil {
		return err
	}
	next.Response, next.Attachments, next.RespondedAt = d.Response, atts, o.now
	if err := o.putRectification(next); err != nil {
		return err
	}
	return o.grantAttachments(task.UnitID, atts)
}

// applyRectVerify closes a responded rectification, or sends it back to the
// unit.
func applyRectVerify(o *op, data json.RawMessage) error {
	var d wire.RectVerify
	if err := decode(data, &d); err != nil {
		return err
	}
	task, _, err := o.taskInYear(d.TaskID)
	if err != nil {
		return err
	}
	if err := checkText(d.Comment, "核验意见"); err != nil {
		return err
	}
	r, err := o.openRect(task.ID)
	if err != nil {
		return err
	}
	to := assess.RectOpen
	if d.Accept {
		to = assess.RectClosed
	}
	next, err := r.Transition(to)
	if err != nil {
		return err
	}
	next.Verification = d.Comment
	if d.Accept {
		next.ClosedAt = o.now
	}
	return o.putRectification(next)
}
