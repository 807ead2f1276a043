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
	return t.run()
}

type tour struct {
	s    *Shell
	cfg  TourConfig
	n    int
	task string
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

// reporterFiles: the reporter writes a statement, attaches two files and
// submits the first task, then the areas are captured.
func (t *tour) reporterFiles() error {
	if err := t.login(t.cfg.Reporter); err != nil {
		return err
	}
	ctx := t.s.ctx
	tasks, err := t.db().Tasks(ctx, localdb.TaskFilter{YearID: t.s.year.ID, UnitID: t.s.user.UnitID})
	if err != nil || len(tasks) == 0 {
		return fmt.Errorf("tour: the reporter has no tasks (%v)", err)
	}
	t.task = tasks[0].ID
	if err := t.draft("已按要求完成权责清单动态调整，调整事项 36 项，已在政府门户网站公开。", 2); err != nil {
		return err
	}
	if err := t.visit("reporter", "home", "filing"); err != nil {
		return err
	}
	if err := t.db().Submit(ctx, t.task); err != nil {
		return err
	}
	if err := t.sync(); err != nil {
		return err
	}
	return t.visit("reporter", "feedback", "external", "settings")
}

// draft saves a statement with n generated evidence files.
func (t *tour) draft(statement string, n int) error {
	ctx := t.s.ctx
	v, err := t.db().Task(ctx, t.task)
	if err != nil {
		return err
	}
	d, err := t.db().Draft(ctx, t.task)
	if err != nil && assess.ErrorCode(err) != assess.ENotFound {
		return err
	}
	atts := d.Attachments
	for i := range n {
		name := fmt.Sprintf("%s-佐证材料%d.pdf", v.Indicator.Code, len(atts)+1)
		body := fmt.Sprintf("%%PDF-1.4\n%% %s %s %d\n%%%%EOF\n", v.Indicator.Title, t.s.user.UnitID, time.Now().UnixNano()+int64(i))
		a, err := t.db().AddEvidenceReader(ctx, name, strings.NewReader(body))
		if err != nil {
			return err
		}
		a.Slot = min(i, len(v.Indicator.Evidence)-1)
		atts = append(atts, a)
	}
	if err := t.db().SaveDraft(ctx, t.task, statement, atts); err != nil {
		return err
	}
	t.ui(func() { t.s.wrote() })
	return nil
}

// latest returns the task's newest submitted version.
func (t *tour) latest() (int, error) {
	subs, err := t.db().Submissions(t.s.ctx, t.task)
	if err != nil {
		return 0, err
	}
	v := 0
	for _, s := range subs {
		v = max(v, s.Version)
	}
	if v == 0 {
		return 0, fmt.Errorf("tour: %s has no submission", t.task)
	}
	return v, nil
}

func (t *tour) reviewerReturns() error {
	t.logout()
	if err := t.login(t.cfg.Reviewer); err != nil {
		return err
	}
	if err := t.visit("reviewer", "home", "indicators", "review"); err != nil {
		return err
	}
	v, err := t.latest()
	if err != nil {
		return err
	}
	if err := t.db().Return(t.s.ctx, t.task, v, "请补充权责事项调整台账及公开截图。"); err != nil {
		return err
	}
	return t.sync()
}

func (t *tour) reporterResubmits() error {
	t.logout()
	if err := t.login(t.cfg.Reporter); err != nil {
		return err
	}
	if err := t.draft("已补充权责事项调整台账及政府门户网站公开截图。", 1); err != nil {
		return err
	}
	if err := t.db().Submit(t.s.ctx, t.task); err != nil {
		return err
	}
	return t.sync()
}

func (t *tour) reviewerScoresLow() error {
	t.logout()
	if err := t.login(t.cfg.Reviewer); err != nil {
		return err
	}
	v, err := t.latest()
	if err != nil {
		return err
	}
	task, err := t.db().Task(t.s.ctx, t.task)
	if err != nil {
		return err
	}
	score := math.Floor(task.Indicator.Threshold()) / 2
	if err := t.db().Score(t.s.ctx, t.task, v, score, "台账不完整，部分事项未公开，列为重点督察事项。"); err != nil {
		return err
	}
	if err := t.sync(); err != nil {
		return err
	}
	return t.visit("reviewer", "review", "feedback", "external", "download", "settings")
}

func (t *tour) reporterResponds() error {
	t.logout()
	if err := t.login(t.cfg.Reporter); err != nil {
		return err
	}
	a, err := t.db().AddEvidenceReader(t.s.ctx, "整改报告.pdf", strings.NewReader(fmt.Sprintf("%%PDF-1.4\n%% 整改报告 %d\n%%%%EOF\n", time.Now().UnixNano())))
	if err != nil {
		return err
	}
	if err := t.db().RespondRect(t.s.ctx, t.task, "已完成整改：补齐台账 36 项并全部公开。", []assess.Attachment{a}); err != nil {
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
	if err := t.db().VerifyRect(t.s.ctx, t.task, true, "整改到位，予以销号。"); err != nil {
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
