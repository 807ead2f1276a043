package ui

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
)

// filingMilestoneEdit is what the user prepares for one milestone (时间节点) of a
// task before filing it: the statement being written and the files added.
// While changed is false it is a copy of the filing as stored.
type filingMilestoneEdit struct {
	taskID    string
	statement *widget.Entry
	atts      []assess.Attachment
	changed   bool
	setting   bool // the statement is being set by the code, not typed
}

// milestoneEditOf returns the edit of a task's milestone, made on first
// use; an edit the user has not changed follows the filing f (nil when
// the milestone is not filed).
func (a *filing) milestoneEditOf(taskID string, m assess.Milestone, f *localdb.MilestoneView) *filingMilestoneEdit {
	key := assess.MilestoneFilingID(taskID, m.ID)
	e := a.medits[key]
	if e == nil {
		e = &filingMilestoneEdit{taskID: taskID, statement: widget.NewMultiLineEntry()}
		e.statement.Wrapping = fyne.TextWrapWord
		e.statement.SetMinRowsVisible(2)
		e.statement.SetPlaceHolder(T("简要说明本节点的完成情况"))
		e.statement.OnChanged = func(string) {
			if !e.setting {
				e.changed = true
			}
		}
		a.medits[key] = e
	}
	if !e.changed {
		text, atts := "", []assess.Attachment(nil)
		if f != nil {
			text, atts = f.Statement, slices.Clone(f.Attachments)
		}
		e.atts = atts
		if e.statement.Text != text {
			e.setting = true
			e.statement.SetText(text)
			e.setting = false
		}
	}
	return e
}

// editHashes returns the files added to the task's milestones and not
// filed yet, so that their upload state is read with the task.
func (a *filing) editHashes(taskID string) []string {
	var out []string
	for _, e := range a.medits {
		if e.taskID == taskID && e.changed {
			for _, at := range e.atts {
				out = append(out, at.Hash)
			}
		}
	}
	return out
}

// milestoneReadOnly says why the unit cannot file the task's milestones
// now, "" when it can: filing is open until the task is scored.
func (a *filing) milestoneReadOnly(d filingDetail) string {
	switch {
	case a.s.year.State == assess.YearClosed:
		return T("本考核年度已关闭，数据已冻结，只能查看")
	case d.v.UnitID != a.s.user.UnitID:
		return T("只能填报本单位的指标任务")
	case d.v.Local == assess.Scored || d.v.Scored:
		return T("本项指标已赋分，时间节点不能再报送")
	}
	return ""
}

// filingMilestoneOf returns the task's filing of m, nil when none.
func filingMilestoneOf(d filingDetail, m assess.Milestone) *localdb.MilestoneView {
	if mv, ok := d.miles[m.ID]; ok {
		return &mv
	}
	return nil
}

// milestonesDone counts the task's milestones filed, waiting ones included.
func (a *filing) milestonesDone(d filingDetail) int {
	n := 0
	for _, m := range d.v.Indicator.Milestones {
		if f := filingMilestoneOf(d, m); f != nil && !f.FiledAt.IsZero() {
			n++
		}
	}
	return n
}

// showMilestones fills the 时间节点 section of the task shown; it is
// hidden when the indicator has no milestones.
func (a *filing) showMilestones(d filingDetail) {
	ms := d.v.Indicator.Milestones
	if len(ms) == 0 {
		a.milesHead.Hide()
		a.milesBox.Objects = nil
		a.milesBox.Hide()
		return
	}
	a.milesHead.SetText(T("时间节点（已完成 %d / %d 个）", a.milestonesDone(d), len(ms)))
	a.milesHead.Show()
	why := a.milestoneReadOnly(d)
	objs := make([]fyne.CanvasObject, 0, len(ms)+1)
	if why != "" {
		l := filingText(why)
		l.Importance = widget.LowImportance
		objs = append(objs, l)
	} else {
		l := filingText(T("每个时间节点分别报送说明和佐证材料；是否按时完成以服务器收到报送的时间为准，遇节假日顺延至下一个工作日。"))
		l.Importance = widget.LowImportance
		objs = append(objs, l)
	}
	for i, m := range ms {
		objs = append(objs, a.milestoneView(d, i, m, why == ""))
	}
	a.milesBox.Objects = objs
	a.milesBox.Show()
	a.milesBox.Refresh()
}

// milestoneView is one milestone: its content, due day and state in its
// colour, its files, the statement and 报送此节点.
func (a *filing) milestoneView(d filingDetail, i int, m assess.Milestone, editable bool) fyne.CanvasObject {
	cal := assess.ChinaCalendar()
	now := a.s.now()
	taskID := d.v.ID
	f := filingMilestoneOf(d, m)
	var fp *assess.MilestoneFiling
	if f != nil {
		fp = &f.MilestoneFiling
	}
	st := m.State(fp, now, cal)
	c, stText, imp := milestoneColor(st), milestoneLabel(st), filingMilestoneImportance(st)
	if f != nil && f.Pending {
		c, stText, imp = colorBlue, T("待发送"), widget.HighImportance
	}
	title := filingText(T("%d. %s", i+1, m.Title))
	title.TextStyle.Bold = true
	state := widget.NewLabel(stText)
	state.TextStyle.Bold = true
	state.Importance = imp
	box := container.NewVBox(container.NewBorder(nil, nil, nil, state, title))

	facts := T("截止 %s", filingMilestoneDue(m, cal))
	switch {
	case f != nil && f.Pending:
	case f != nil && !f.FiledAt.IsZero():
		facts += " · " + T("服务器收到于 %s", f.FiledAt.In(assess.CST).Format("2006-01-02 15:04"))
		if f.UpdatedAt.After(f.FiledAt) {
			facts += " · " + T("最近更新 %s", f.UpdatedAt.In(assess.CST).Format("2006-01-02 15:04"))
		}
	case st == assess.MilestoneMissed:
		facts += " · " + T("已逾期 %d 个工作日，请尽快补报", cal.WorkdaysUntil(m.DueDay(cal), now))
	}
	box.Add(filingText(facts))
	if f != nil && f.Pending {
		l := filingText(T("待发送：报送已保存在本机，联网后自动发送；是否按时完成以服务器收到时间为准。"))
		l.Importance = widget.HighImportance
		box.Add(l)
	}

	e := a.milestoneEditOf(taskID, m, f)
	for _, at := range e.atts {
		var remove func()
		if editable {
			remove = func() { a.confirmRemoveMilestoneFile(taskID, m, at) }
		}
		box.Add(a.fileRow(at, d.states[at.Hash], remove))
	}
	if len(e.atts) == 0 {
		l := widget.NewLabel(T("尚未添加文件"))
		l.Importance = widget.LowImportance
		if editable && !st.Done() {
			l.Importance = widget.WarningImportance
		}
		box.Add(l)
	}
	if editable {
		e.statement.Enable()
	} else {
		e.statement.Disable()
	}
	box.Add(e.statement)
	if editable {
		add := widget.NewButtonWithIcon(T("添加文件"), theme.ContentAddIcon(), func() { a.pickMilestoneFile(taskID, m.ID) })
		send := widget.NewButtonWithIcon(T("报送此节点"), theme.MailSendIcon(), func() { a.fileMilestone(taskID, m) })
		if f != nil {
			send.SetText(T("重新报送"))
		}
		send.Importance = widget.HighImportance
		var mark fyne.CanvasObject
		if e.changed {
			l := widget.NewLabel(T("● 有未报送的修改"))
			l.Importance = widget.WarningImportance
			mark = l
		}
		box.Add(container.NewBorder(nil, nil, mark, container.NewHBox(add, send)))
	}
	bar := canvas.NewRectangle(c)
	bar.SetMinSize(fyne.NewSize(5, 0))
	return container.NewVBox(container.NewBorder(nil, nil, bar, nil, box), widget.NewSeparator())
}

// filingMilestoneDue is a milestone's day, and the day it is actually due
// when a holiday moves it, e.g. 2026-10-01（节假日顺延至 2026-10-08）.
func filingMilestoneDue(m assess.Milestone, cal *assess.Calendar) string {
	day, due := assess.DayOf(m.Due), m.DueDay(cal)
	if due.Equal(day) {
		return day.Format(time.DateOnly)
	}
	return T("%s（节假日顺延至 %s）", day.Format(time.DateOnly), due.Format(time.DateOnly))
}

// filingMilestoneImportance is the text colour of a milestone state.
func filingMilestoneImportance(st assess.MilestoneState) widget.Importance {
	switch st {
	case assess.MilestoneMet:
		return widget.SuccessImportance
	case assess.MilestoneLate:
		return widget.WarningImportance
	case assess.MilestoneMissed:
		return widget.DangerImportance
	}
	return widget.LowImportance
}

// pickMilestoneFile asks for a file with the file dialog and adds it to
// the milestone's files.
func (a *filing) pickMilestoneFile(taskID, milestoneID string) {
	a.s.askOpenPath(nil, func(path string) { a.attachMilestone(taskID, milestoneID, []string{path}) })
}

// attachMilestone stores files in the local evidence folder and adds them
// to the milestone's files, to be sent when it is filed; the same content
// is not added twice; refused files are reported with their reason.
func (a *filing) attachMilestone(taskID, milestoneID string, paths []string) {
	s := a.s
	background(s, func(ctx context.Context) (filingAttach, error) {
		var r filingAttach
		for _, p := range paths {
			at, err := s.db().AddEvidence(ctx, p)
			if err != nil {
				if ctx.Err() != nil {
					return r, err
				}
				r.errs = append(r.errs, err)
				continue
			}
			at.Slot = 0
			r.added = append(r.added, at)
		}
		return r, nil
	}, func(r filingAttach, err error) {
		if err != nil {
			s.showError(err)
			return
		}
		e := a.medits[assess.MilestoneFilingID(taskID, milestoneID)]
		if e == nil { // the task is no longer shown
			return
		}
		added := r.added[:0:0]
		for _, at := range r.added {
			if i := slices.IndexFunc(e.atts, func(x assess.Attachment) bool { return x.Hash == at.Hash }); i >= 0 {
				r.dups = append(r.dups, [2]string{at.Name, e.atts[i].Name})
				continue
			}
			e.atts = append(e.atts, at)
			added = append(added, at)
		}
		r.added = added
		if len(added) > 0 {
			e.changed = true
			if a.selected == taskID {
				a.load(taskID)
			}
		}
		a.reportAttach(r, T("已为时间节点添加 %d 份材料，报送此节点后上传", len(added)))
	})
}

// confirmRemoveMilestoneFile asks, then takes a file off a milestone's
// files (filed only when the milestone is filed again).
func (a *filing) confirmRemoveMilestoneFile(taskID string, m assess.Milestone, at assess.Attachment) {
	a.s.confirm(T("移除佐证材料"), T("确定从时间节点“%s”中移除“%s”吗？", m.Title, at.Name), T("移除"), func() {
		e := a.medits[assess.MilestoneFilingID(taskID, m.ID)]
		if e == nil {
			return
		}
		e.atts = slices.DeleteFunc(slices.Clone(e.atts), func(x assess.Attachment) bool { return x.Hash == at.Hash })
		e.changed = true
		if a.cur != nil && a.cur.v.ID == taskID {
			a.showMilestones(*a.cur)
		}
		a.setNote(T("已从时间节点“%s”中移除“%s”，重新报送后生效", m.Title, at.Name), false)
	})
}

// fileMilestone checks a milestone's statement and files, asks for
// confirmation, then files it: queued to be sent when the server can be
// reached, whose receipt time decides whether it was on time.
func (a *filing) fileMilestone(taskID string, m assess.Milestone) {
	d := a.cur
	if d == nil || d.v.ID != taskID {
		return
	}
	if why := a.milestoneReadOnly(*d); why != "" {
		a.s.info(T("不能报送"), why)
		return
	}
	e := a.medits[assess.MilestoneFilingID(taskID, m.ID)]
	if e == nil {
		return
	}
	text := e.statement.Text
	if err := assess.ValidateStatement(text, false); err != nil {
		a.s.showError(err)
		return
	}
	if len(e.atts) == 0 {
		a.s.info(T("不能报送"), T("请至少为本节点添加一份佐证材料后再报送"))
		return
	}
	cal := assess.ChinaCalendar()
	lines := []string{T("将报送时间节点“%s”（截止 %s）的完成情况说明和 %d 份佐证材料。", m.Title, filingMilestoneDue(m, cal), len(e.atts))}
	if f := filingMilestoneOf(*d, m); f != nil && !f.Pending {
		lines = append(lines, T("本节点已报送过：重新报送将更新说明和材料，是否按时完成仍以首次报送时服务器收到的时间为准。"))
	} else {
		lines = append(lines, T("是否按时完成以服务器收到报送的时间为准。没有网络时先保存在本机，联网后自动发送。"))
	}
	atts := slices.Clone(e.atts)
	a.s.confirm(T("报送时间节点"), strings.Join(lines, "\n"), T("报送"), func() {
		a.fileMilestoneNow(taskID, m, text, atts)
	})
}

// fileMilestoneNow files a milestone with the statement and files given.
func (a *filing) fileMilestoneNow(taskID string, m assess.Milestone, text string, atts []assess.Attachment) {
	s := a.s
	s.act(func(ctx context.Context) error {
		return s.db().FileMilestone(ctx, taskID, m.ID, text, atts)
	}, func() {
		if e := a.medits[assess.MilestoneFilingID(taskID, m.ID)]; e != nil {
			e.changed = false // follows the filing from now on
		}
		a.setNote(T("时间节点“%s”已报送，联网后自动发送到服务器", m.Title), false)
	})
}
