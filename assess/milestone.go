package assess

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Milestone (时间节点) is an intermediate deliverable of an indicator with a
// due day of its own, e.g. "6月30日前 制定年度计划". Each milestone has one
// evidence slot; a unit files against it before the indicator's deadline.
type Milestone struct {
	ID    string    `json:"id"`    // unique within the indicator, e.g. "m1"
	Title string    `json:"title"` // what must be delivered
	Due   time.Time `json:"due"`   // the day it is due (midnight CST)
}

// MaxMilestones bounds the milestones of one indicator.
const MaxMilestones = 20

// MilestoneState is where a unit stands on one milestone.
type MilestoneState string

// Milestone states.
const (
	MilestonePending MilestoneState = "pending" // 未到期: not filed, not yet due
	MilestoneMet     MilestoneState = "met"     // 按时完成: filed by its due day
	MilestoneLate    MilestoneState = "late"    // 逾期完成: filed after its due day; stays late
	MilestoneMissed  MilestoneState = "missed"  // 逾期未完成: due day passed, not filed
)

// Label returns the state's Chinese name.
func (s MilestoneState) Label() string {
	switch s {
	case MilestonePending:
		return "未到期"
	case MilestoneMet:
		return "按时完成"
	case MilestoneLate:
		return "逾期完成"
	case MilestoneMissed:
		return "逾期未完成"
	}
	return string(s)
}

// Done reports whether the milestone has been filed (on time or late).
func (s MilestoneState) Done() bool { return s == MilestoneMet || s == MilestoneLate }

// MilestoneFiling is a unit's filing against one milestone of a task: a
// short statement and the evidence of its slot. FiledAt is when the server
// first received it and decides, once and for all, whether the milestone was
// met on time; a later correction moves UpdatedAt only.
type MilestoneFiling struct {
	ID          string       `json:"id"` // MilestoneFilingID(taskID, milestoneID)
	TaskID      string       `json:"task_id"`
	UnitID      string       `json:"unit_id"`
	MilestoneID string       `json:"milestone_id"`
	Statement   string       `json:"statement"`
	Attachments []Attachment `json:"attachments"`
	FiledBy     string       `json:"filed_by,omitempty"`
	FiledAt     time.Time    `json:"filed_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// SameMilestones reports whether two lists hold the same milestones in the
// same order.
func SameMilestones(x, y []Milestone) bool {
	return slices.EqualFunc(x, y, func(a, b Milestone) bool {
		return a.ID == b.ID && a.Title == b.Title && a.Due.Equal(b.Due)
	})
}

// MilestoneFilingID returns the ID of the filing of a task's milestone.
func MilestoneFilingID(taskID, milestoneID string) string { return taskID + "~" + milestoneID }

// DueDay returns the day the milestone is actually due: its Due day, or,
// when that is not a working day, the next working day (遇节假日顺延). A nil
// cal means ChinaCalendar().
func (m Milestone) DueDay(cal *Calendar) time.Time {
	if cal == nil {
		cal = ChinaCalendar()
	}
	d := DayOf(m.Due)
	if cal.IsWorkday(d) {
		return d
	}
	return cal.AddWorkdays(d, 1)
}

// State returns where a unit stands on the milestone at now, given its
// filing (nil when none): filed on or before the due day is met, after it
// late (whatever now is); not filed is missed once the due day has passed and
// pending before. A nil cal means ChinaCalendar().
func (m Milestone) State(f *MilestoneFiling, now time.Time, cal *Calendar) MilestoneState {
	due := m.DueDay(cal)
	if f != nil && !f.FiledAt.IsZero() {
		if DayOf(f.FiledAt).After(due) {
			return MilestoneLate
		}
		return MilestoneMet
	}
	if DayOf(now).After(due) {
		return MilestoneMissed
	}
	return MilestonePending
}

// MilestoneWarning computes the warning the milestones of a task raise at
// now, given the task's filings by milestone ID. Only a task still being
// filed (not submitted, not scored) warns of its milestones:
//   - yellow: a milestone's due day has passed and it is not filed (the
//     earliest such milestone is named, with the working days it is late);
//   - blue: the next milestone not filed is due within warnDays working days;
//   - none otherwise.
//
// warnDays ≤ 0 means DefaultWarnDays; a nil cal means ChinaCalendar().
func MilestoneWarning(t Task, in Indicator, filings map[string]MilestoneFiling, now time.Time, cal *Calendar, warnDays int) Warning {
	if len(in.Milestones) == 0 || t.Status == Submitted || t.Status == Scored || t.Scored {
		return Warning{}
	}
	if cal == nil {
		cal = ChinaCalendar()
	}
	if warnDays <= 0 {
		warnDays = DefaultWarnDays
	}
	today := DayOf(now)
	var next *Milestone
	for i, m := range in.Milestones {
		var fp *MilestoneFiling
		if f, ok := filings[m.ID]; ok {
			fp = &f
		}
		switch m.State(fp, now, cal) {
		case MilestoneMissed:
			due := m.DueDay(cal)
			n := cal.WorkdaysUntil(due, now)
			return Warning{Yellow, fmt.Sprintf("时间节点“%s”已于 %s 到期未完成，逾期 %d 个工作日，请尽快补报 (milestone %q missed: due %s, %d working days late)",
				m.Title, dateText(due), n, m.Title, dateText(due), n)}
		case MilestonePending:
			if next == nil || in.Milestones[i].DueDay(cal).Before(next.DueDay(cal)) {
				next = &in.Milestones[i]
			}
		}
	}
	if next != nil {
		due := next.DueDay(cal)
		if n := cal.WorkdaysUntil(now, due); n <= warnDays {
			if due.Equal(today) {
				return Warning{Blue, fmt.Sprintf("时间节点“%s”今天（%s）到期，请今天报送 (milestone %q due today, %s)", next.Title, dateText(due), next.Title, dateText(due))}
			}
			return Warning{Blue, fmt.Sprintf("时间节点“%s”将于 %s 到期，还有 %d 个工作日 (milestone %q due %s, %d working days left)",
				next.Title, dateText(due), n, next.Title, dateText(due), n)}
		}
	}
	return Warning{}
}

// validateMilestones checks an indicator's milestones: each with an ID that
// is short and plain, unique within the indicator, a title and a due day;
// none due after the indicator's deadline.
func validateMilestones(in Indicator) error {
	if len(in.Milestones) > MaxMilestones {
		return Errorf(EInvalid, "指标 %s 最多设置 %d 个时间节点 (at most %d milestones)", in.Code, MaxMilestones, MaxMilestones)
	}
	seen := map[string]bool{}
	for i, m := range in.Milestones {
		n := i + 1
		switch {
		case strings.TrimSpace(m.ID) == "" || len(m.ID) > 32 || !utf8.ValidString(m.ID) ||
			strings.ContainsFunc(m.ID, func(r rune) bool {
				return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("/#@~", r)
			}):
			return Errorf(EInvalid, "指标 %s 的第 %d 个时间节点编号为空或含有空格、/ # @ ~ (milestone %d: bad ID)", in.Code, n, n)
		case seen[m.ID]:
			return Errorf(EInvalid, "指标 %s 的时间节点编号“%s”重复 (milestone ID %q used twice)", in.Code, m.ID, m.ID)
		case strings.TrimSpace(m.Title) == "":
			return Errorf(EInvalid, "指标 %s 的第 %d 个时间节点没有填写内容 (milestone %d: title is required)", in.Code, n, n)
		case utf8.RuneCountInString(m.Title) > 200:
			return Errorf(EInvalid, "指标 %s 的第 %d 个时间节点内容不能超过 200 字 (milestone %d: title too long)", in.Code, n, n)
		case m.Due.IsZero():
			return Errorf(EInvalid, "指标 %s 的时间节点“%s”没有填写日期 (milestone %q: due day is required)", in.Code, m.Title, m.Title)
		case !in.Deadline.IsZero() && DayOf(m.Due).After(DayOf(in.Deadline)):
			return Errorf(EInvalid, "指标 %s 的时间节点“%s”（%s）晚于指标截止日期 %s (milestone %q is due after the indicator's deadline)",
				in.Code, m.Title, dateText(m.Due), dateText(in.Deadline), m.Title)
		}
		seen[m.ID] = true
	}
	return nil
}
