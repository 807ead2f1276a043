package ui

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report/localdata"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

// background runs work off the UI goroutine, then done on it with work's
// result. The window never waits for the disk or the network.
func background[T any](s *Shell, work func(ctx context.Context) (T, error), done func(T, error)) {
	s.busy.Add(1)
	go func() {
		defer s.busy.Done()
		v, err := work(s.ctx)
		if s.ctx.Err() != nil {
			return
		}
		s.onUI(func() { done(v, err) })
	}()
}

// act runs a write off the UI goroutine; on success it tells the areas and
// the syncer and calls ok (which may be nil), on failure it shows the error.
func (s *Shell) act(work func(ctx context.Context) error, ok func()) {
	background(s, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, work(ctx)
	}, func(_ struct{}, err error) {
		if err != nil {
			s.showError(err)
			return
		}
		s.wrote()
		if ok != nil {
			ok()
		}
	})
}

// Idle waits until the background work started so far, and the work it
// started in turn, has ended. Tests and the tour call it before looking.
func (s *Shell) Idle() {
	for {
		s.busy.Wait()
		s.uiMu.Lock()
		q := s.uiQueue
		s.uiQueue = nil
		s.uiMu.Unlock()
		if len(q) == 0 {
			return
		}
		for _, fn := range q {
			fyne.DoAndWait(fn)
		}
	}
}

// onUI runs fn on the UI goroutine. In Manual mode (tests and the tour) fn
// is queued and run by Idle, one at a time: the test driver has no UI
// goroutine of its own and would run it at once on the calling goroutine,
// beside the test's own.
func (s *Shell) onUI(fn func()) {
	if !s.deps.Manual {
		fyne.DoAndWait(fn)
		return
	}
	s.uiMu.Lock()
	s.uiQueue = append(s.uiQueue, fn)
	s.uiMu.Unlock()
}

// now is the clock of the client.
func (s *Shell) now() time.Time { return s.deps.now() }

// db is the local store of the session: the demo's while trying the demo.
func (s *Shell) db() Store {
	if s.demo != nil && s.demo.Store != nil {
		return s.demo.Store
	}
	return s.deps.Store
}

// docs is the document source of the session's store.
func (s *Shell) docs() localdata.Source {
	return s.deps.Docs(s.db(), s.now())
}

// User returns the logged-in user.
func (s *Shell) User() assess.User { return s.user }

// Year returns the assessment year the areas show.
func (s *Shell) Year() assess.Year { return s.year }

// message returns what a clerk reads of err: the Chinese message of a
// domain error, a plain sentence for an unreachable server.
func message(err error) string {
	if client.Offline(err) {
		return T("无法连接服务器，修改已保存在本机，联网后自动同步")
	}
	if m := assess.ErrorMessage(err); m != "" {
		return m
	}
	return err.Error()
}

// showError shows err in a dialog that Enter and Esc close.
func (s *Shell) showError(err error) {
	if err == nil {
		return
	}
	s.info(T("错误"), message(err))
}

// info shows a message in a dialog that Enter and Esc close.
func (s *Shell) info(title, text string) {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(title, T("确定"), textBox(l), s.win)
	s.keys(d, d.Hide, d.Hide)
	d.Show()
}

// dialogTextWidth is the width a dialog's message wraps at.
const dialogTextWidth = 460

// textBox sizes a wrapping label to the lines its text needs at
// dialogTextWidth, so that a dialog shows the whole message.
func textBox(l *widget.Label) fyne.CanvasObject {
	size := theme.TextSize()
	lineHeight := l.MinSize().Height
	inner := float32(dialogTextWidth) - 2*theme.InnerPadding()
	lines := 0
	for _, para := range strings.Split(l.Text, "\n") {
		w := fyne.MeasureText(para, size, l.TextStyle).Width
		lines += max(1, int(math.Ceil(float64(w/inner))))
	}
	one := fyne.MeasureText("国", size, l.TextStyle).Height + theme.LineSpacing()
	height := lineHeight + float32(lines-1)*one
	return container.NewGridWrap(fyne.NewSize(dialogTextWidth, height), l)
}

// confirm asks before an action; Enter confirms, Esc cancels.
func (s *Shell) confirm(title, text, confirmText string, ok func()) {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(title, confirmText, T("取消"), textBox(l), func(yes bool) {
		if yes {
			ok()
		}
	}, s.win)
	s.keys(d, func() { d.Hide(); ok() }, d.Hide)
	d.Show()
}

// keys makes Enter call enter and Esc call esc while d is shown and no
// entry has the focus (entries made with newEntry forward both keys).
func (s *Shell) keys(d dialog.Dialog, enter, esc func()) {
	c := s.win.Canvas()
	prev := c.OnTypedKey()
	s.keyEnter, s.keyEsc = enter, esc
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyReturn, fyne.KeyEnter:
			enter()
		case fyne.KeyEscape:
			esc()
		default:
			if prev != nil {
				prev(ev)
			}
		}
	})
	d.SetOnClosed(func() {
		c.SetOnTypedKey(prev)
		s.keyEnter, s.keyEsc = nil, nil
	})
}

// keyEntry is a single-line entry that passes Enter and Esc on to the
// dialog it is in.
type keyEntry struct {
	widget.Entry
	shell *Shell
}

// newEntry returns an entry for dialogs: Enter submits, Esc cancels.
func (s *Shell) newEntry() *keyEntry {
	e := &keyEntry{shell: s}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey handles Esc (cancel the dialog) and Enter (submit it) for a
// single-line entry, and everything else as an entry does.
func (e *keyEntry) TypedKey(ev *fyne.KeyEvent) {
	switch {
	case ev.Name == fyne.KeyEscape && e.shell.keyEsc != nil:
		e.shell.keyEsc()
	case (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && !e.MultiLine && e.shell.keyEnter != nil:
		e.shell.keyEnter()
	default:
		e.Entry.TypedKey(ev)
	}
}

// form shows a dialog of form items; Enter and the confirm button call
// submit, whose error is shown in red in the dialog, which then stays open;
// Esc and 取消 close it.
func (s *Shell) form(title, confirmText string, items []*widget.FormItem, submit func() error) dialog.Dialog {
	errLabel := widget.NewLabel("")
	errLabel.Importance = widget.DangerImportance
	errLabel.Wrapping = fyne.TextWrapWord
	errLabel.Hide()
	f := widget.NewForm(items...)
	content := container.NewVBox(f, errLabel)
	var d *dialog.CustomDialog
	try := func() {
		if err := submit(); err != nil {
			errLabel.SetText(message(err))
			errLabel.Show()
			return
		}
		d.Hide()
	}
	ok := widget.NewButton(confirmText, try)
	ok.Importance = widget.HighImportance
	cancel := widget.NewButton(T("取消"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(title, container.NewGridWrap(fyne.NewSize(560, content.MinSize().Height+40), content), s.win)
	d.SetButtons([]fyne.CanvasObject{cancel, ok})
	s.keys(d, try, d.Hide)
	s.dialogErr = errLabel
	d.Show()
	return d
}

// loadRefs reloads the years, units and groups the areas label things
// with, and picks the year to show.
func (s *Shell) loadRefs() {
	type refs struct {
		years  []assess.Year
		units  []assess.Unit
		groups []assess.Group
	}
	background(s, func(ctx context.Context) (refs, error) {
		var r refs
		var err error
		if r.years, err = s.db().Years(ctx); err != nil {
			return r, err
		}
		if r.units, err = s.db().Units(ctx); err != nil {
			return r, err
		}
		r.groups, err = s.db().Groups(ctx)
		return r, err
	}, func(r refs, err error) {
		if err != nil {
			fyne.LogError("load years", err)
			return
		}
		slices.SortFunc(r.years, func(a, b assess.Year) int { return cmp.Compare(b.ID, a.ID) })
		s.years = r.years
		s.units = map[string]assess.Unit{}
		for _, u := range r.units {
			s.units[u.ID] = u
		}
		s.groups = map[string]assess.Group{}
		for _, g := range r.groups {
			s.groups[g.ID] = g
		}
		old := s.year.ID
		s.year = pickYear(r.years, s.year.ID, s.user.Role)
		if s.header != nil {
			s.header.refresh()
		}
		if s.year.ID != old {
			s.changed()
		}
	})
}

// pickYear keeps the year shown if it still exists, else picks the newest
// published or closed year (a reviewer also sees draft years, and gets the
// newest year of all when nothing is published).
func pickYear(years []assess.Year, keep string, role assess.Role) assess.Year {
	for _, y := range years {
		if y.ID == keep {
			return y
		}
	}
	for _, y := range years {
		if y.State != assess.YearDraft {
			return y
		}
	}
	if role == assess.Reviewer && len(years) > 0 {
		return years[0]
	}
	return assess.Year{}
}

// setYear switches the year every area shows.
func (s *Shell) setYear(id string) {
	for _, y := range s.years {
		if y.ID == id && y.ID != s.year.ID {
			s.year = y
			s.changed()
		}
	}
}

// unitName returns a unit's name, or its ID while it is unknown.
func (s *Shell) unitName(id string) string {
	if u, ok := s.units[id]; ok && u.Name != "" {
		return u.Name
	}
	return id
}

// unitsByGroup orders units by the order of their groups, then by name.
func unitsByGroup(units []assess.Unit, groups []assess.Group) []assess.Unit {
	place := map[string]int{}
	for i, g := range groups {
		place[g.ID] = i
	}
	order := func(u assess.Unit) int {
		if p, ok := place[u.GroupID]; ok {
			return p
		}
		return len(groups)
	}
	out := slices.Clone(units)
	slices.SortStableFunc(out, func(x, y assess.Unit) int {
		return cmp.Or(cmp.Compare(order(x), order(y)), cmp.Compare(x.GroupID, y.GroupID), cmp.Compare(x.Name, y.Name))
	})
	return out
}

// groupName returns a ranking group's name, or its ID.
func (s *Shell) groupName(id string) string {
	if g, ok := s.groups[id]; ok && g.Name != "" {
		return g.Name
	}
	return id
}

// startSession begins the work of a logged-in user: the syncer (in the
// background unless Manual), the areas of the role.
func (s *Shell) startSession(u assess.User, api *client.API) {
	s.user = u
	s.api = api
	s.year = assess.Year{}
	s.syncer = s.deps.Syncer(api, s.db(), s.onProgress)
	s.looping = false
	s.showMain()
	if !s.deps.Manual {
		s.startBackground()
	}
}

// startBackground runs the syncer's loop: a sync at once, then on its
// timer and whenever a change is made, until the session ends.
func (s *Shell) startBackground() {
	if s.syncer == nil || s.looping {
		return
	}
	s.looping = true
	sy := s.syncer
	go func() { _ = sy.Run(s.ctx) }()
}

// SyncNow runs a sync: by waking the background loop when it runs, else at
// once on a goroutine that Idle waits for.
func (s *Shell) SyncNow() {
	if s.syncer == nil {
		return
	}
	if s.looping {
		s.syncer.Trigger()
		return
	}
	sy := s.syncer
	background(s, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, sy.SyncOnce(ctx)
	}, func(struct{}, error) {})
}

// onProgress receives the syncer's reports on its goroutines and hands
// them to the status bar on the UI goroutine.
func (s *Shell) onProgress(p client.Progress) {
	apply := func() {
		if s.status != nil {
			s.status.progress(p)
		}
		if p.Phase == client.PhaseIdle && p.Err == nil {
			s.loadRefs()
			s.changed()
		}
	}
	if s.looping {
		fyne.Do(apply)
	} else {
		s.onUI(apply)
	}
}

// logout asks, then leaves the session.
func (s *Shell) logout() {
	s.confirm(T("退出登录"), T("退出后本机数据和待同步的修改仍然保留，下次登录继续。确定退出吗？"), T("退出登录"), s.logoutNow)
}

// logoutNow leaves the session: the server is told when it can be reached;
// the local data and the changes still waiting stay on this PC.
func (s *Shell) logoutNow() {
	api, db := s.api, s.db()
	s.stopSession()
	background(s, func(ctx context.Context) (struct{}, error) {
		if api != nil {
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_ = api.Logout(cctx)
			cancel()
		}
		return struct{}{}, db.ClearSession(ctx)
	}, func(_ struct{}, err error) {
		if err != nil {
			s.showError(err)
		}
		s.user = assess.User{}
		s.areas = nil
		s.win.SetMainMenu(nil)
		s.showLogin()
	})
}

func (s *Shell) about() {
	v := s.deps.Version
	if v == "" {
		v = "dev"
	}
	s.info(T("关于一网通"), T("一网通 · 法治政府建设督察考核填报与审核系统")+"\n"+T("版本")+" "+v)
}

// storeUser is the user of the session stored on this PC, if any.
func storeUser(ctx context.Context, db Store) (localdb.Session, bool) {
	sess, err := db.Session(ctx)
	if err != nil {
		return sess, false
	}
	return sess, true
}

// errEmpty is the error of a required field left empty.
func errEmpty(field string) error {
	return assess.Errorf(assess.EInvalid, "%s", T("请填写%s", field))
}

// trimmed returns an entry's text without surrounding spaces.
func trimmed(e *widget.Entry) string { return strings.TrimSpace(e.Text) }
