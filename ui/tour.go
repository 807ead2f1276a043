package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
)

// TourAccount is a login the tour uses.
type TourAccount struct{ Username, Password string }

// TourConfig is what a tour needs: a server with the demo city, a
// reporting and a reviewing account of it, and where the screenshots go.
type TourConfig struct {
	Server   string
	Reporter TourAccount
	Reviewer TourAccount
	Out      string
	// Frame waits until the window has drawn what was just changed.
	Frame func()
	// Log receives one line per step.
	Log func(format string, args ...any)
}

// Tour drives both roles through the full cycle in the running window — a
// reporter drafts, attaches evidence and submits; the reviewer returns it;
// the reporter resubmits; the reviewer scores it below the low-score line;
// the reporter answers the rectification; the reviewer verifies it; the
// reporter files a milestone of another task; the reviewer looks at the
// progress trend, the milestone and the unit's leads, takes a lead into
// account, records an on-site inspection and imports survey and
// third-party results; the reporter sees every component of its total —
// and captures every area of both roles with real data into cfg.Out as
// PNG files. Run it on a goroutine of its own while the window runs.
func (s *Shell) Tour(cfg TourConfig) error {
	t := &tour{s: s, cfg: cfg}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return err
	}
	defer func() {
		if t.tmp != "" {
			os.RemoveAll(t.tmp)
		}
	}()
	return t.run()
}

type tour struct {
	s     *Shell
	cfg   TourConfig
	n     int
	task  string
	mtask string // the task whose milestone the reporter files
	unit  string // the reporter's unit
	tmp   string // the evidence files the tour attaches
}

func (t *tour) logf(format string, args ...any) {
	if t.cfg.Log != nil {
		t.cfg.Log(format, args...)
	}
}

// ui runs fn on the UI goroutine and waits for it and for the background
// work it started.
func (t *tour) ui(fn func()) {
	fyne.DoAndWait(fn)
	t.s.Idle()
}

// shot waits for the frame and saves the window as NN-name.png.
func (t *tour) shot(name string) error {
	t.s.Idle()
	if t.cfg.Frame != nil {
		t.cfg.Frame()
	}
	var captured image.Image
	fyne.DoAndWait(func() { captured = t.s.win.Canvas().Capture() })
	// The window's framebuffer has no alpha channel: make every pixel
	// opaque so that the PNG shows what the screen showed.
	b := captured.Bounds()
	img := image.NewRGBA(b)
	draw.Draw(img, b, captured, b.Min, draw.Src)
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 0xff
	}
	if colours(img) < 16 {
		return fmt.Errorf("tour: the capture of %s is blank", name)
	}
	t.n++
	path := filepath.Join(t.cfg.Out, fmt.Sprintf("%02d-%s.png", t.n, name))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	t.logf("%s %dx%d", path, img.Bounds().Dx(), img.Bounds().Dy())
	return f.Close()
}

// login logs acc in through the login form and syncs.
func (t *tour) login(acc TourAccount) error {
	var err error
	t.ui(func() {
		v := t.s.login
		v.server.SetText(t.cfg.Server)
		v.username.SetText(acc.Username)
		v.password.SetText(acc.Password)
		v.submit()
	})
	fyne.DoAndWait(func() {
		if t.s.user.Username != acc.Username {
			err = fmt.Errorf("tour: login as %s failed: %s", acc.Username, t.s.login.errLabel.Text)
		}
	})
	if err != nil {
		return err
	}
	return t.sync()
}

// sync runs one sync to its end.
func (t *tour) sync() error {
	var sy interface{ SyncOnce(context.Context) error }
	fyne.DoAndWait(func() { sy = t.s.syncer })
	if err := sy.SyncOnce(t.s.ctx); err != nil {
		return fmt.Errorf("tour: sync: %w", err)
	}
	t.ui(func() { t.s.loadRefs() })
	t.ui(func() { t.s.changed() })
	return nil
}

func (t *tour) logout() {
	t.ui(func() { t.s.logoutNow() })
}

// visit shows each area of the role, opens the tour's task in it, and
// captures it.
func (t *tour) visit(prefix string, keys ...string) error {
	for _, k := range keys {
		t.ui(func() { t.s.Show(k) })
		t.ui(func() { t.focus(k) })
		if err := t.shot(prefix + "-" + k); err != nil {
			return err
		}
	}
	return nil
}

// focus opens the tour's task (or its unit, or its rectification) in the
// area shown, as the user would by tapping it.
func (t *tour) focus(key string) {
	if t.task == "" {
		return
	}
	switch a := t.s.areas[key].(type) {
	case *filing:
		a.selectTask(t.task)
	case *review:
		a.openTask(t.task)
	case *feedback:
		if a.unitSel != nil && t.s.user.Role == assess.Reviewer {
			for i, u := range a.units {
				if strings.HasSuffix(t.task, "@"+u.ID) {
					a.unitSel.SetSelectedIndex(i)
				}
			}
		}
		if len(a.rects) > 0 {
			a.tabs.SelectIndex(fbTabRects)
			a.rectList.Select(0)
		}
	}
}

func (t *tour) run() error {
	if err := t.shot("login"); err != nil {
		return err
	}
	steps := []func() error{
		t.reporterFiles, t.reviewerReturns, t.reporterResubmits,
		t.reviewerScoresLow, t.reporterResponds, t.reviewerVerifies,
		t.reporterFilesMilestone, t.reviewerFollowsUp, t.reporterSeesComponents,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (t *tour) db() Store { return t.s.db() }

// area returns the area shown, after showing key.
func (t *tour) area(key string) area {
	t.ui(func() { t.s.Show(key) })
	t.ui(func() { t.focus(key) })
	var a area
	fyne.DoAndWait(func() { a = t.s.areas[key] })
	return a
}

// enter presses Enter on the dialog shown, after capturing it as name.
func (t *tour) enter(name string) error {
	if err := t.shot(name); err != nil {
		return err
	}
	return t.press(name)
}

// press presses Enter on the dialog shown at the step named what.
func (t *tour) press(what string) error {
	var err error
	t.ui(func() {
		if t.s.keyEnter == nil {
			err = fmt.Errorf("tour: no dialog to confirm at %s", what)
			return
		}
		t.s.keyEnter()
	})
	return err
}

// files writes n small PDF files named after the task's checklist into a
// folder of the tour and returns their paths.
func (t *tour) files(prefix string, n int) ([]string, error) {
	var paths []string
	for i := range n {
		body := fmt.Sprintf("%%PDF-1.4\n%% %s %d %d\n%%%%EOF\n", prefix, i, time.Now().UnixNano())
		p, err := t.file(fmt.Sprintf("%s%d.pdf", prefix, i+1), []byte(body))
		if err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// file writes body as name into the tour's folder and returns its path.
func (t *tour) file(name string, body []byte) (string, error) {
	if t.tmp == "" {
		dir, err := os.MkdirTemp("", "yiwangtong-tour-*")
		if err != nil {
			return "", err
		}
		t.tmp = dir
	}
	p := filepath.Join(t.tmp, name)
	return p, os.WriteFile(p, body, 0o644)
}

// fileSubmit, in 指标填报: attach files to slots through the area's own
// attach path (as the file dialog and dropping do), write the statement,
// save it and submit it, confirming with Enter.
func (t *tour) fileSubmit(statement, prefix string, n int, shot string) error {
	a, ok := t.area("filing").(*filing)
	if !ok {
		return fmt.Errorf("tour: 指标填报 is not the filing area")
	}
	paths, err := t.files(prefix, n)
	if err != nil {
		return err
	}
	for i, p := range paths {
		t.ui(func() { a.attach(t.task, i%2, []string{p}) })
	}
	t.ui(func() {
		a.statement.SetText(statement)
		a.save()
	})
	if shot != "" {
		if err := t.shot(shot); err != nil {
			return err
		}
	}
	t.ui(a.submit)
	return t.enter("confirm-submit")
}

// reporterFiles: the reporter attaches files, writes and submits the
// first task, then the areas are captured.
func (t *tour) reporterFiles() error {
	if err := t.login(t.cfg.Reporter); err != nil {
		return err
	}
	tasks, err := t.db().Tasks(t.s.ctx, localdb.TaskFilter{YearID: t.s.year.ID, UnitID: t.s.user.UnitID})
	if err != nil || len(tasks) == 0 {
		return fmt.Errorf("tour: the reporter has no tasks (%v)", err)
	}
	t.task = tasks[0].ID
	if err := t.visit("reporter", "home"); err != nil {
		return err
	}
	if err := t.fileSubmit("已按要求完成权责清单动态调整，调整事项 36 项，已在政府门户网站公开。", "权责清单调整文件", 2, "reporter-filing"); err != nil {
		return err
	}
	if err := t.sync(); err != nil {
		return err
	}
	return t.visit("reporter", "feedback", "external", "settings")
}

// review opens the task in 指标审核, fills the form and confirms a score
// (or, with score "", a return).
func (t *tour) review(score, comment, shot string) error {
	a, ok := t.area("review").(*review)
	if !ok {
		return fmt.Errorf("tour: 指标审核 is not the review area")
	}
	if err := t.shot(shot); err != nil {
		return err
	}
	t.ui(func() {
		a.score.SetText(score)
		a.comment.SetText(comment)
		if score == "" {
			a.onReturn()
		} else {
			a.onScore()
		}
	})
	return t.enter(shot + "-confirm")
}

func (t *tour) reviewerReturns() error {
	t.logout()
	if err := t.login(t.cfg.Reviewer); err != nil {
		return err
	}
	if err := t.visit("reviewer", "home", "indicators"); err != nil {
		return err
	}
	if err := t.review("", "请补充权责事项调整台账及公开截图。", "reviewer-review"); err != nil {
		return err
	}
	return t.sync()
}

func (t *tour) reporterResubmits() error {
	t.logout()
	if err := t.login(t.cfg.Reporter); err != nil {
		return err
	}
	if err := t.fileSubmit("已补充权责事项调整台账及政府门户网站公开截图。", "权责事项调整台账", 1, "reporter-returned"); err != nil {
		return err
	}
	return t.sync()
}

func (t *tour) reviewerScoresLow() error {
	t.logout()
	if err := t.login(t.cfg.Reviewer); err != nil {
		return err
	}
	task, err := t.db().Task(t.s.ctx, t.task)
	if err != nil {
		return err
	}
	score := strconv.FormatFloat(math.Floor(task.Indicator.Threshold())/2, 'f', -1, 64)
	if err := t.review(score, "台账不完整，部分事项未公开，列为重点督察事项。", "reviewer-score"); err != nil {
		return err
	}
	if err := t.sync(); err != nil {
		return err
	}
	return t.visit("reviewer", "review", "feedback", "external", "download", "settings")
}

// rect returns the rectification panel of 反馈报告 with the task's
// rectification selected.
func (t *tour) rect() (*feedbackRect, error) {
	a, ok := t.area("feedback").(*feedback)
	if !ok || a.rect == nil || a.rect.taskID != t.task {
		return nil, fmt.Errorf("tour: the rectification of %s is not shown", t.task)
	}
	return a.rect, nil
}

func (t *tour) reporterResponds() error {
	t.logout()
	if err := t.login(t.cfg.Reporter); err != nil {
		return err
	}
	r, err := t.rect()
	if err != nil {
		return err
	}
	paths, err := t.files("整改报告", 1)
	if err != nil {
		return err
	}
	t.ui(func() {
		r.addFiles(paths)
		r.answer.SetText("已完成整改：补齐台账 36 项并全部公开。")
	})
	if err := t.shot("reporter-respond"); err != nil {
		return err
	}
	t.ui(r.onSubmit)
	if err := t.enter("reporter-respond-confirm"); err != nil {
		return err
	}
	if err := t.sync(); err != nil {
		return err
	}
	return t.visit("reporter-rect", "home", "feedback")
}

func (t *tour) reviewerVerifies() error {
	t.logout()
	if err := t.login(t.cfg.Reviewer); err != nil {
		return err
	}
	r, err := t.rect()
	if err != nil {
		return err
	}
	t.ui(func() { r.comment.SetText("整改到位，予以销号。") })
	t.ui(r.onAccept)
	if err := t.enter("reviewer-verify-confirm"); err != nil {
		return err
	}
	if err := t.sync(); err != nil {
		return err
	}
	return t.visit("reviewer-closed", "home", "feedback")
}

// milestoneTask picks the task of the reporter's unit whose milestone the
// tour files: one not scored whose indicator has milestones, preferably
// one the unit has leads about.
func (t *tour) milestoneTask() (localdb.TaskView, error) {
	ctx := t.s.ctx
	tasks, err := t.db().Tasks(ctx, localdb.TaskFilter{YearID: t.s.year.ID, UnitID: t.s.user.UnitID})
	if err != nil {
		return localdb.TaskView{}, err
	}
	leads, err := t.db().Leads(ctx, localdb.LeadFilter{YearID: t.s.year.ID, UnitID: t.s.user.UnitID})
	if err != nil {
		return localdb.TaskView{}, err
	}
	var pick *localdb.TaskView
	picked := false // pick has leads about its indicator
	for i, v := range tasks {
		if len(v.Indicator.Milestones) == 0 || v.ID == t.task || v.Local == assess.Scored || v.Scored {
			continue
		}
		led := slices.ContainsFunc(leads, func(l assess.Lead) bool { return l.IndicatorID == v.Indicator.ID })
		if pick == nil || led && !picked {
			pick, picked = &tasks[i], led
		}
	}
	if pick == nil {
		return localdb.TaskView{}, fmt.Errorf("tour: the reporter has no task with milestones to file")
	}
	return *pick, nil
}

// reporterFilesMilestone, in 指标填报: the reporter opens a task with
// milestones, attaches a file to the first milestone, writes its statement
// and files it (报送此节点), confirming with Enter; after the sync the
// milestone shows as met with the server's time of receipt.
func (t *tour) reporterFilesMilestone() error {
	t.logout()
	if err := t.login(t.cfg.Reporter); err != nil {
		return err
	}
	v, err := t.milestoneTask()
	if err != nil {
		return err
	}
	t.mtask, t.unit = v.ID, v.UnitID
	m := v.Indicator.Milestones[0]
	a, ok := t.area("filing").(*filing)
	if !ok {
		return fmt.Errorf("tour: 指标填报 is not the filing area")
	}
	t.ui(func() { a.selectTask(v.ID) })
	paths, err := t.files(m.Title, 1)
	if err != nil {
		return err
	}
	t.ui(func() { a.attachMilestone(v.ID, m.ID, paths) })
	var failed error
	t.ui(func() {
		e := a.medits[assess.MilestoneFilingID(v.ID, m.ID)]
		if e == nil || len(e.atts) != 1 {
			failed = fmt.Errorf("tour: the file was not added to milestone %s of %s", m.ID, v.ID)
			return
		}
		e.statement.SetText(fmt.Sprintf("已按时完成“%s”，形成书面报告并经单位主要负责人审定，报告见附件。", m.Title))
	})
	if failed != nil {
		return failed
	}
	t.showMilestones(a)
	if err := t.shot("reporter-milestone"); err != nil {
		return err
	}
	t.ui(func() { a.fileMilestone(v.ID, m) })
	if err := t.enter("reporter-milestone-confirm"); err != nil {
		return err
	}
	if err := t.sync(); err != nil {
		return err
	}
	filed, err := t.db().MilestoneFilings(t.s.ctx, v.ID)
	if err != nil {
		return err
	}
	if len(filed) != 1 || filed[0].MilestoneID != m.ID || filed[0].Pending || filed[0].FiledAt.IsZero() {
		return fmt.Errorf("tour: milestone %s of %s is not filed on the server: %+v", m.ID, v.ID, filed)
	}
	t.ui(func() { a.selectTask(v.ID) })
	t.showMilestones(a)
	return t.shot("reporter-milestone-filed")
}

// showMilestones scrolls 指标填报's detail to its 时间节点 section.
func (t *tour) showMilestones(a *filing) {
	t.ui(func() {
		a.scroll.Refresh()
		a.scroll.ScrollToOffset(fyne.NewPos(0, a.milesHead.Position().Y))
	})
}

// reviewerFollowsUp: the reviewer looks at the progress trend, at the
// filed milestone and the unit's leads beside the task in 指标审核, takes
// a lead into account with a deduction in 督察线索, records an on-site
// inspection with a photo and imports a survey contractor's results twice,
// the second replacing the first.
func (t *tour) reviewerFollowsUp() error {
	t.logout()
	if err := t.login(t.cfg.Reviewer); err != nil {
		return err
	}
	steps := []func() error{t.reviewerTrend, t.reviewerMilestones, t.reviewerLead, t.reviewerInspects, t.reviewerImports}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// reviewerTrend captures 首页's 进度趋势 tab with the reporter's unit chosen.
func (t *tour) reviewerTrend() error {
	a, ok := t.area("home").(*reviewerHome)
	if !ok {
		return fmt.Errorf("tour: 首页 is not the reviewer's home")
	}
	var failed error
	t.ui(func() {
		tabs := findTabs(a.box)
		if tabs == nil || len(tabs.Items) < 3 {
			failed = fmt.Errorf("tour: 首页 has no 进度趋势 tab")
			return
		}
		tabs.SelectIndex(2)
		a.trendSel.SetSelected(T("单位：%s", t.s.unitName(t.unit)))
	})
	if failed != nil {
		return failed
	}
	return t.shot("reviewer-trend")
}

// findTabs returns the first tabs in o's containers, nil when none.
func findTabs(o fyne.CanvasObject) *container.AppTabs {
	switch o := o.(type) {
	case *container.AppTabs:
		return o
	case *fyne.Container:
		for _, c := range o.Objects {
			if tabs := findTabs(c); tabs != nil {
				return tabs
			}
		}
	}
	return nil
}

// reviewerMilestones narrows 指标审核's queue to the milestone's
// indicator, opens the task from it and captures its 时间节点 and 督察线索
// tabs.
func (t *tour) reviewerMilestones() error {
	a, ok := t.area("review").(*review)
	if !ok {
		return fmt.Errorf("tour: 指标审核 is not the review area")
	}
	task, err := t.db().Task(t.s.ctx, t.mtask)
	if err != nil {
		return err
	}
	var failed error
	t.ui(func() { a.search.SetText(task.Indicator.Code) })
	t.ui(func() {
		row := slices.IndexFunc(a.shown, func(i int) bool { return a.rows[i].TaskID == t.mtask })
		if row < 0 {
			failed = fmt.Errorf("tour: 指标审核's queue does not list %s", t.mtask)
			return
		}
		a.table.Select(widget.TableCellID{Row: row, Col: queueUnit})
	})
	if failed != nil {
		return failed
	}
	t.ui(func() {
		if a.item == nil || a.item.view.ID != t.mtask {
			failed = fmt.Errorf("tour: 指标审核 did not open %s", t.mtask)
			return
		}
		if len(a.item.filings) == 0 {
			failed = fmt.Errorf("tour: 指标审核 shows no milestone filed for %s", t.mtask)
			return
		}
		a.tabs.Select(a.msTab)
	})
	if failed != nil {
		return failed
	}
	if err := t.shot("reviewer-review-milestones"); err != nil {
		return err
	}
	t.ui(func() {
		if len(a.item.leads) == 0 {
			failed = fmt.Errorf("tour: 指标审核 shows no leads for %s", t.mtask)
			return
		}
		a.tabs.Select(a.leadTab)
		a.leadList.Select(0)
	})
	if failed != nil {
		return failed
	}
	return t.shot("reviewer-review-leads")
}

// reviewerLead, in 督察线索: opens the lead about the milestone's task (or
// the first about its unit), takes it into account with a deduction
// through the area's form, confirming with Enter, and captures the area.
func (t *tour) reviewerLead() error {
	a, ok := t.area("leads").(*leadsArea)
	if !ok {
		return fmt.Errorf("tour: 督察线索 is not the leads area")
	}
	task, err := t.db().Task(t.s.ctx, t.mtask)
	if err != nil {
		return err
	}
	var failed error
	var lead assess.Lead
	t.ui(func() {
		row := -1
		for i, k := range a.shown {
			l := a.rows[k].Lead
			if l.UnitID != task.UnitID || l.Considered {
				continue
			}
			if row < 0 || l.IndicatorID == task.Indicator.ID {
				row, lead = i, l
			}
			if l.IndicatorID == task.Indicator.ID {
				break
			}
		}
		if row < 0 {
			failed = fmt.Errorf("tour: 督察线索 lists no lead about %s", task.UnitName)
			return
		}
		a.table.Select(widget.TableCellID{Row: row, Col: leadColSummary})
	})
	if failed != nil {
		return failed
	}
	t.ui(func() {
		if a.openID != lead.ID {
			failed = fmt.Errorf("tour: 督察线索 did not open %s", lead.ID)
			return
		}
		a.considerBtn.OnTapped()
		if a.form == nil {
			failed = fmt.Errorf("tour: 纳入考核 showed no form")
			return
		}
		a.form.deduction.SetText("0.5")
		a.form.comment.SetText("行政复议决定撤销原行为，按评分细则扣 0.5 分。")
	})
	if failed != nil {
		return failed
	}
	if err := t.enter("reviewer-lead-consider"); err != nil {
		return err
	}
	leads, err := t.db().Leads(t.s.ctx, localdb.LeadFilter{YearID: t.s.year.ID, UnitID: task.UnitID, OnlyConsidered: true})
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(leads, func(l assess.Lead) bool { return l.ID == lead.ID && l.Deduction == 0.5 }) {
		return fmt.Errorf("tour: lead %s was not taken into account", lead.ID)
	}
	if err := t.sync(); err != nil {
		return err
	}
	t.ui(func() { a.open(lead.ID) })
	return t.shot("reviewer-leads")
}

// reviewerInspects, in 第三方评估 → 现场督察记录: records a visit of the
// reporter's unit with a photo through the area's form, confirming with
// Enter, and captures the visits.
func (t *tour) reviewerInspects() error {
	a, ok := t.area("external").(*reviewerExternal)
	if !ok {
		return fmt.Errorf("tour: 第三方评估 is not the reviewer's area")
	}
	photo, err := t.photo("现场督察照片1.png")
	if err != nil {
		return err
	}
	n := a.insp
	var failed error
	t.ui(func() {
		a.tabs.SelectIndex(1)
		n.selectUnit(t.unit)
		if n.unitID != t.unit {
			failed = fmt.Errorf("tour: 现场督察记录 has no unit %s", t.unit)
			return
		}
		n.addBtn.OnTapped()
		f := n.form
		if f == nil {
			failed = fmt.Errorf("tour: 新增督察记录 showed no form")
			return
		}
		f.date.SetText(assess.DayOf(t.s.now()).Format(time.DateOnly))
		f.inspectors.SetText("王志刚、刘芳")
		f.findings.SetText("抽查行政执法案卷 20 卷，全过程记录完整；发现法制审核意见未附卷 2 卷，已责令补齐。")
		f.score.SetText("86")
		f.addPhoto(photo)
	})
	if failed != nil {
		return failed
	}
	if err := t.enter("reviewer-inspection"); err != nil {
		return err
	}
	visits, err := t.db().Inspections(t.s.ctx, t.s.year.ID, t.unit)
	if err != nil {
		return err
	}
	if len(visits) != 1 || len(visits[0].Photos) != 1 || visits[0].Score != 86 {
		return fmt.Errorf("tour: the inspection of %s was not recorded: %+v", t.unit, visits)
	}
	if err := t.sync(); err != nil {
		return err
	}
	t.ui(func() {
		n.selectUnit(t.unit)
		n.visits.Select(0)
	})
	return t.shot("reviewer-inspections")
}

// photo writes a small PNG picture as name into the tour's folder.
func (t *tour) photo(name string) (string, error) {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := range 240 {
		for x := range 320 {
			img.Set(x, y, color.RGBA{uint8(120 + x/4), uint8(140 + y/4), 200, 0xff})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return "", err
	}
	return t.file(name, b.Bytes())
}

// reviewerImports, in 第三方评估: imports a third-party evaluator's results,
// then a survey contractor's (the form captured) and its revised delivery,
// whose preview says which versions it replaces, each with its report as
// the source document, confirming with Enter.
func (t *tour) reviewerImports() error {
	a, ok := t.area("external").(*reviewerExternal)
	if !ok {
		return fmt.Errorf("tour: 第三方评估 is not the reviewer's area")
	}
	var units []string
	t.ui(func() {
		a.tabs.SelectIndex(0)
		for _, r := range a.all {
			units = append(units, r.Unit.Name)
		}
	})
	if len(units) == 0 {
		return fmt.Errorf("tour: 第三方评估 lists no units")
	}
	y := t.s.year.ID
	third, survey1, survey2 := "单位,得分,依法决策,规范执法,政务公开,备注\n", "单位,样本量,满意度得分,备注\n",
		"单位,样本量,满意度得分,政务公开满意度,行政执法满意度,政务服务满意度,备注\n"
	for i, u := range units {
		third += fmt.Sprintf("%s,%d,%d,%d,%d,书面评估与实地核查\n", u, 76+i*5%17, 75+i*7%19, 78+i*3%15, 74+i*11%21)
		s1 := 80 + float64(i*7%15) + float64(i%2)/2
		survey1 += fmt.Sprintf("%s,%d,%s,电话与入户调查\n", u, 600+100*(i%7), assess.FormatScore(s1))
		items := []float64{s1 + 2, s1 - 1, s1 + 1.5}
		if i%3 == 0 {
			items = []float64{s1 - 4, s1 - 2, s1 - 3}
		}
		survey2 += fmt.Sprintf("%s,%d,%s,%s,%s,%s,复核后修订\n", u, 650+100*(i%7), assess.FormatScore((items[0]+items[1]+items[2])/3),
			assess.FormatScore(items[0]), assess.FormatScore(items[1]), assess.FormatScore(items[2]))
	}
	imports := []struct {
		src        assess.Source
		data, name string
		doc        string
		form, view string // the captures of the form and of the preview, "" for none
	}{
		{assess.ThirdParty, third, y + "年第三方评估结果.csv", y + "年法治政府建设第三方评估报告.pdf", "", ""},
		{assess.Survey, survey1, y + "年民意调查结果.csv", y + "年法治政府建设民意调查报告.pdf", "reviewer-import", ""},
		{assess.Survey, survey2, y + "年民意调查结果（修订）.csv", y + "年法治政府建设民意调查报告（修订）.pdf", "", "reviewer-import-preview"},
	}
	for _, im := range imports {
		data, err := t.file(im.name, []byte(im.data))
		if err != nil {
			return err
		}
		doc, err := t.file(im.doc, fmt.Appendf(nil, "%%PDF-1.4\n%% %s %d\n%%%%EOF\n", im.doc, time.Now().UnixNano()))
		if err != nil {
			return err
		}
		var failed error
		t.ui(func() {
			a.importBtn.OnTapped()
			if a.imp == nil {
				failed = fmt.Errorf("tour: 导入调查/评估结果 showed no form")
				return
			}
			a.imp.source.SetSelected(extSourceLabel(im.src))
			a.imp.setFile(data)
			a.imp.addDocument(doc)
		})
		if failed != nil {
			return failed
		}
		if im.form != "" {
			err = t.enter(im.form)
		} else {
			err = t.press("import " + im.name)
		}
		if err != nil {
			return err
		}
		if a.preview == nil {
			return fmt.Errorf("tour: importing %s showed no preview (problems %v)", im.name, a.problems)
		}
		if im.view != "" {
			if !strings.Contains(a.preview.text, "原结果保留在审计日志中") {
				return fmt.Errorf("tour: the preview of %s replaces nothing: %s", im.name, a.preview.text)
			}
			err = t.enter(im.view)
		} else {
			err = t.press("preview " + im.name)
		}
		if err != nil {
			return err
		}
		if err := t.press("imported " + im.name); err != nil { // 导入完成
			return err
		}
		if err := t.sync(); err != nil {
			return err
		}
	}
	exts, err := t.db().Externals(t.s.ctx, y)
	if err != nil {
		return err
	}
	want := map[string]int{assess.ExternalID(y, t.unit, assess.Survey): 2, assess.ExternalID(y, t.unit, assess.ThirdParty): 1}
	for _, e := range exts {
		if v, ok := want[e.ID]; ok && e.Version == v {
			delete(want, e.ID)
		}
	}
	if len(want) > 0 {
		return fmt.Errorf("tour: the imported results on the server lack %v", want)
	}
	return nil
}

// reporterSeesComponents: the reporter's 第三方评估 shows each component of
// the total, where it came from, and the inspection visit.
func (t *tour) reporterSeesComponents() error {
	t.logout()
	if err := t.login(t.cfg.Reporter); err != nil {
		return err
	}
	return t.visit("reporter-components", "external")
}

// colours counts the distinct colours of img's pixels (up to
// 1000): a window that drew nothing has one or two.
func colours(img *image.RGBA) int {
	seen := map[[3]uint8]bool{}
	for i := 0; i+3 < len(img.Pix) && len(seen) < 1000; i += 4 {
		seen[[3]uint8{img.Pix[i], img.Pix[i+1], img.Pix[i+2]}] = true
	}
	return len(seen)
}
