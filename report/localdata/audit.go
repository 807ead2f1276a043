package localdata

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// History actions that have no change kind of their own.
const (
	actionRectOpen  = "rect.open"
	actionRectClose = "rect.close"
)

// History returns the year's record of who did what, as this PC holds it,
// in the form of the audit download: every submission, review and external
// score, and each rectification's opening, response and closing, in time
// order and numbered from 1.
//
// This is not the server's hash-chained audit log (which the client fetches
// from the server for `yiwangtong export audit`), so Hash and Prev are
// empty: the history is rebuilt from the mirrored records, works offline,
// and covers only what the user may see.
func (s Source) History(ctx context.Context, y assess.Year) ([]report.AuditEntry, error) {
	sn, err := s.load(ctx, y, "")
	if err != nil {
		return nil, err
	}
	users, err := s.DB.Users(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, u := range users {
		names[u.ID] = cmp.Or(u.Name, u.Username)
	}
	who := func(id string) string { return cmp.Or(names[id], id) }
	var out []report.AuditEntry
	event := func(at time.Time, actor, kind, label, target, detail string) {
		if at.IsZero() {
			return
		}
		out = append(out, report.AuditEntry{At: at, Actor: actor, Action: fmt.Sprintf("%s (%s)", label, kind), Target: target, Detail: detail})
	}
	for _, v := range sn.tasks {
		in := indicator(v)
		target := fmt.Sprintf("%s %s %s", sn.unit(v.UnitID).Name, in.Code, in.Title)
		subs, err := s.DB.Submissions(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		for _, sub := range subs {
			event(sub.SubmittedAt, who(sub.SubmittedBy), wire.KindSubmit, "提交材料", target,
				fmt.Sprintf("第 %d 版，佐证材料 %d 份", sub.Version, len(sub.Attachments)))
		}
		reviews, err := s.DB.Reviews(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range reviews {
			if r.Decision == assess.Score {
				event(r.CreatedAt, who(r.Reviewer), wire.KindScore, "赋分", target,
					fmt.Sprintf("第 %d 版赋分 %s 分（满分 %s 分）：%s", r.Version, assess.FormatScore(r.Score), assess.FormatScore(in.MaxScore), oneLine(r.Comment)))
			} else {
				event(r.CreatedAt, who(r.Reviewer), wire.KindReturn, "退回补充", target,
					fmt.Sprintf("第 %d 版退回补充：%s", r.Version, oneLine(r.Comment)))
			}
		}
		rect, err := s.rect(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		if rect != nil {
			event(rect.OpenedAt, "", actionRectOpen, "开具整改", target,
				fmt.Sprintf("整改期限 %s：%s", day(rect.Deadline), oneLine(rect.Demand)))
			event(rect.RespondedAt, sn.unit(v.UnitID).Name, wire.KindRectRespond, "整改反馈", target,
				fmt.Sprintf("%s（附 %d 份材料）", oneLine(rect.Response), len(rect.Attachments)))
			event(rect.ClosedAt, "", actionRectClose, "核验销号", target, oneLine(rect.Verification))
		}
	}
	for _, e := range sn.externals {
		event(e.UpdatedAt, "", wire.KindExternalSave, "外部评估分数", sn.unit(e.UnitID).Name,
			strings.TrimSpace(fmt.Sprintf("%s %s / %s %s", e.Source.Label(), assess.FormatScore(e.Score), assess.FormatScore(e.Max), oneLine(e.Note))))
	}
	slices.SortStableFunc(out, func(a, b report.AuditEntry) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Target, b.Target)
	})
	for i := range out {
		out[i].Seq = int64(i + 1)
	}
	return out, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func day(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(assess.CST).Format(time.DateOnly)
}

// AuditEntries turns the server's audit events into rows of the audit
// download: the actor by name and ID, the action by its Chinese name and
// its code, the event's data as the chain holds it (cut to limit characters
// when limit > 0, saying so), the hashes as they are.
func AuditEntries(events []wire.AuditEvent, limit int) []report.AuditEntry {
	out := make([]report.AuditEntry, len(events))
	for i, ev := range events {
		actor := ev.Actor
		switch {
		case ev.ActorName != "":
			actor = fmt.Sprintf("%s (%s)", ev.ActorName, ev.Actor)
		case ev.Actor == wire.SystemActor:
			actor = "系统 (system)"
		}
		action := ev.Action
		if label := auditLabel(ev.Action); label != ev.Action {
			action = fmt.Sprintf("%s (%s)", label, ev.Action)
		}
		detail := string(ev.Data)
		if r := []rune(detail); limit > 0 && len(r) > limit {
			detail = string(r[:limit]) + "…（内容过长，已截断，完整内容请导出 CSV）(truncated)"
		}
		out[i] = report.AuditEntry{Seq: ev.Seq, At: ev.Time, Actor: actor, Action: action, Target: ev.Subject,
			Detail: detail, Hash: ev.Hash, Prev: ev.Prev}
	}
	return out
}

// auditLabel names an audit action in Chinese: a change kind as the outbox
// names it, or one of the server's own actions.
func auditLabel(action string) string {
	switch action {
	case "user.add":
		return "添加账号"
	case "user.password":
		return "重设密码"
	case "user.disable":
		return "停用账号"
	case "user.enable":
		return "启用账号"
	case "blob.add":
		return "上传佐证材料"
	case "blob.grant":
		return "佐证材料授权单位读取"
	}
	return localdb.KindLabel(action)
}
