package assess

import (
	"fmt"
	"time"
)

// Level is a warning level (预警). Computed, never stored.
type Level int

// Warning levels, from none to the most urgent.
const (
	NoWarning Level = iota
	Blue            // 蓝色预警: deadline within N working days
	Yellow          // 黄色预警: returned for more material, or behind a milestone
	Red             // 红色预警: overdue, low score, or rectification overdue
)

// DefaultWarnDays is the blue-warning window, in working days, when a year
// sets none.
const DefaultWarnDays = 5

// Label returns the level's Chinese name, "" for no warning.
func (l Level) Label() string {
	switch l {
	case Blue:
		return "蓝色预警"
	case Yellow:
		return "黄色预警"
	case Red:
		return "红色预警"
	}
	return ""
}

// String returns the level's English name.
func (l Level) String() string {
	switch l {
	case NoWarning:
		return "none"
	case Blue:
		return "blue"
	case Yellow:
		return "yellow"
	case Red:
		return "red"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Warning is a level and the Chinese reason for it.
type Warning struct {
	Level  Level  `json:"level"`
	Reason string `json:"reason"`
}

// TaskWarning computes a task's warning at now. rect is the task's
// rectification, nil when none; filings are the task's milestone filings by
// milestone ID (see MilestoneWarning), nil when none; warnDays is the year's blue-warning window in
// working days (DefaultWarnDays when ≤ 0); a nil cal means ChinaCalendar().
//
// The most urgent rule that holds wins:
//   - red: the rectification is overdue; or the task is scored below the
//     indicator's Threshold and its rectification is not closed yet; or it is not submitted (not started, draft or
//     returned) and its deadline day has passed;
//   - yellow: the task was returned for more material (退回补充); or its
//     rectification waits for the unit's response (待整改);
//   - blue: the task is not submitted yet (not started or draft) and its
//     deadline is at most warnDays working days away;
//   - the milestones' warning (MilestoneWarning) when it is more urgent than
//     all of the above: a missed milestone is yellow, one coming due blue;
//   - none otherwise. A submitted task waits for the reviewer and is never
//     overdue; a task with no deadline never warns of one.
func TaskWarning(t Task, in Indicator, rect *Rectification, filings map[string]MilestoneFiling, now time.Time, cal *Calendar, warnDays int) Warning {
	if cal == nil {
		cal = ChinaCalendar()
	}
	w := taskWarning(t, in, rect, now, cal, warnDays)
	if m := MilestoneWarning(t, in, filings, now, cal, warnDays); m.Level > w.Level {
		return m
	}
	return w
}

func taskWarning(t Task, in Indicator, rect *Rectification, now time.Time, cal *Calendar, warnDays int) Warning {
	if cal == nil {
		cal = ChinaCalendar()
	}
	if warnDays <= 0 {
		warnDays = DefaultWarnDays
	}
	if rect != nil && rect.Overdue(now) {
		return RectWarning(*rect, now, cal)
	}
	scored := t.Status == Scored || t.Scored
	if scored && t.Score < in.Threshold() && (rect == nil || rect.State != RectClosed) {
		return Warning{Red, fmt.Sprintf("得分 %s 分低于低分线 %s 分，已列为重点督察事项，请按要求整改 (score %s below the threshold %s: key inspection item)",
			FormatScore(t.Score), FormatScore(in.Threshold()), FormatScore(t.Score), FormatScore(in.Threshold()))}
	}
	due := !in.Deadline.IsZero()
	pending := !scored && t.Status != Submitted // not started, draft or returned
	today := DayOf(now)
	if due && pending && today.After(DayOf(in.Deadline)) {
		n := cal.WorkdaysUntil(in.Deadline, now)
		return Warning{Red, fmt.Sprintf("已超过截止日期 %s，逾期 %d 个工作日，请尽快提交 (overdue since %s by %d working days)",
			dateText(in.Deadline), n, dateText(in.Deadline), n)}
	}
	if t.Status == Returned {
		reason := "已退回补充材料，请按审核意见补充后重新提交 (returned for more material: add it and resubmit)"
		if due {
			n := cal.WorkdaysUntil(now, in.Deadline)
			reason = fmt.Sprintf("已退回补充材料，请在截止日期 %s 前补充后重新提交，还有 %d 个工作日 (returned for more material; resubmit by %s, %d working days left)",
				dateText(in.Deadline), n, dateText(in.Deadline), n)
		}
		return Warning{Yellow, reason}
	}
	if rect != nil && rect.State == RectOpen {
		return RectWarning(*rect, now, cal)
	}
	if due && pending {
		n := cal.WorkdaysUntil(now, in.Deadline)
		if n <= warnDays {
			return Warning{Blue, dueText(in.Deadline, today, n)}
		}
	}
	return Warning{}
}

// RectWarning computes a rectification's own warning at now: red when it is
// overdue (see Rectification.Overdue), yellow while it waits for the unit's
// response, none once the unit has responded or it is closed. A nil cal means
// ChinaCalendar().
func RectWarning(r Rectification, now time.Time, cal *Calendar) Warning {
	if cal == nil {
		cal = ChinaCalendar()
	}
	if r.Overdue(now) {
		n := cal.WorkdaysUntil(r.Deadline, now)
		return Warning{Red, fmt.Sprintf("整改已超过期限 %s，逾期 %d 个工作日，请立即整改并反馈 (rectification overdue since %s by %d working days)",
			dateText(r.Deadline), n, dateText(r.Deadline), n)}
	}
	if r.State != RectOpen {
		return Warning{}
	}
	if r.Deadline.IsZero() {
		return Warning{Yellow, "重点督察事项待整改，请整改后反馈 (rectification open: correct and respond)"}
	}
	n := cal.WorkdaysUntil(now, r.Deadline)
	return Warning{Yellow, fmt.Sprintf("重点督察事项待整改，整改期限 %s，还有 %d 个工作日 (rectification open: due %s, %d working days left)",
		dateText(r.Deadline), n, dateText(r.Deadline), n)}
}

// dueText words a blue warning: n working days are left after today until
// the deadline.
func dueText(deadline, today time.Time, n int) string {
	d := dateText(deadline)
	switch {
	case DayOf(deadline).Equal(today):
		return fmt.Sprintf("今天（%s）截止，请今天提交 (due today, %s)", d, d)
	case n == 0:
		return fmt.Sprintf("截止日期 %s 前已没有工作日，请尽快提交 (due %s, no working days left)", d, d)
	}
	return fmt.Sprintf("距截止日期 %s 还有 %d 个工作日，请及时提交 (due %s, %d working days left)", d, n, d, n)
}

func dateText(t time.Time) string { return DayOf(t).Format(time.DateOnly) }
