package ui

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"

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
// the reporter answers the rectification; the reviewer verifies it — and
// captures every area of both roles with real data into cfg.Out as PNG
// files. Run it on a goroutine of its own while the window runs.
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
	s    *Shell
	cfg  TourConfig
	n    int
	task string
	tmp  string // the evidence files the tour attaches
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
	var err error
	t.ui(func() {
		if t.s.keyEnter == nil {
			err = fmt.Errorf("tour: no dialog to confirm at %s", name)
			return
		}
		t.s.keyEnter()
	})
	return err
}

// files writes n small PDF files named after the task's checklist into a
// folder of the tour and returns their paths.
func (t *tour) files(prefix string, n int) ([]string, error) {
	if t.tmp == "" {
		dir, err := os.MkdirTemp("", "yiwangtong-tour-*")
		if err != nil {
			return nil, err
		}
		t.tmp = dir
	}
	var paths []string
	for i := range n {
		p := filepath.Join(t.tmp, fmt.Sprintf("%s%d.pdf", prefix, i+1))
		body := fmt.Sprintf("%%PDF-1.4\n%% %s %d %d\n%%%%EOF\n", prefix, i, time.Now().UnixNano())
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
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

// colours counts the distinct colours of img's pixels (up to
// 1000): a window that drew nothing has one or two.
func colours(img *image.RGBA) int {
	seen := map[[3]uint8]bool{}
	for i := 0; i+3 < len(img.Pix) && len(seen) < 1000; i += 4 {
		seen[[3]uint8{img.Pix[i], img.Pix[i+1], img.Pix[i+2]}] = true
	}
	return len(seen)
}
