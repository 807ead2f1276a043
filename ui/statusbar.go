package ui

import (
	"context"
	"fmt"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

// statusBar is the strip below the areas: online or offline, changes
// waiting to be sent, conflicts, the last successful sync, and a progress
// bar in bytes for every file being uploaded or downloaded.
type statusBar struct {
	s         *Shell
	dot       *canvas.Circle
	online    *widget.Label
	pending   *widget.Label
	last      *widget.Label
	phase     *widget.Label
	conflicts *widget.Button
	syncBtn   *widget.Button
	transfers *fyne.Container
	bars      map[string]*transfer
	box       fyne.CanvasObject

	isOnline  bool
	known     bool // a sync has reported at least once
	lastSync  time.Time
	nPending  int
	nRejected int
	lastErr   error
}

// transfer is one file's progress row.
type transfer struct {
	row   *fyne.Container
	label *widget.Label
	bar   *widget.ProgressBar
}

func newStatusBar(s *Shell) *statusBar {
	b := &statusBar{s: s, bars: map[string]*transfer{}}
	b.dot = canvas.NewCircle(colorGrey)
	b.online = widget.NewLabel(T("正在连接…"))
	b.pending = widget.NewLabel("")
	b.last = widget.NewLabel("")
	b.phase = widget.NewLabel("")
	b.conflicts = widget.NewButtonWithIcon("", theme.WarningIcon(), s.showConflicts)
	b.conflicts.Importance = widget.DangerImportance
	b.conflicts.Hide()
	b.syncBtn = widget.NewButtonWithIcon(T("立即同步"), theme.ViewRefreshIcon(), s.SyncNow)
	b.transfers = container.NewVBox()
	dot := container.NewCenter(container.NewGridWrap(fyne.NewSize(12, 12), b.dot))
	line := container.NewHBox(dot, b.online, widget.NewSeparator(), b.pending, b.conflicts,
		widget.NewSeparator(), b.last, layout.NewSpacer(), b.phase, b.syncBtn)
	b.box = container.NewVBox(widget.NewSeparator(), b.transfers, line)
	b.show()
	return b
}

func (b *statusBar) view() fyne.CanvasObject { return b.box }

// refresh recounts the outbox from the store.
func (b *statusBar) refresh() {
	s := b.s
	type counts struct{ pending, rejected int }
	background(s, func(ctx context.Context) (counts, error) {
		p, r, err := s.db().PendingCount(ctx)
		return counts{p, r}, err
	}, func(c counts, err error) {
		if err != nil {
			return
		}
		b.nPending, b.nRejected = c.pending, c.rejected
		b.show()
	})
}

// progress takes one report of the syncer.
func (b *statusBar) progress(p client.Progress) {
	b.known = true
	b.isOnline = p.Online
	if !p.LastSync.IsZero() {
		b.lastSync = p.LastSync
	}
	if p.Phase != client.PhaseIdle || p.Pending > 0 {
		b.nPending = p.Pending
	}
	b.nRejected = p.Rejected
	switch p.Phase {
	case client.PhaseUpload, client.PhaseDownload:
		b.transfer(p)
		b.phase.SetText(T("正在%s", phaseLabel(p.Phase)))
	case client.PhaseIdle:
		b.lastErr = p.Err
		for k, t := range b.bars {
			b.transfers.Remove(t.row)
			delete(b.bars, k)
		}
		b.phase.SetText("")
		if p.Err == nil {
			b.lastSync = b.s.now()
			b.refresh()
		}
	default:
		if p.Total > 0 {
			b.phase.SetText(T("正在%s %d/%d", phaseLabel(p.Phase), p.Done, p.Total))
		} else {
			b.phase.SetText(T("正在%s", phaseLabel(p.Phase)))
		}
	}
	b.show()
}

// transfer updates (or adds, or removes when done) one file's bar.
func (b *statusBar) transfer(p client.Progress) {
	key := string(p.Phase) + p.Item
	t, ok := b.bars[key]
	if p.Total > 0 && p.Done >= p.Total {
		if ok {
			b.transfers.Remove(t.row)
			delete(b.bars, key)
		}
		return
	}
	if !ok {
		t = &transfer{label: widget.NewLabel(""), bar: widget.NewProgressBar()}
		t.bar.TextFormatter = func() string { return "" }
		t.row = container.NewBorder(nil, nil, t.label, nil, t.bar)
		b.bars[key] = t
		b.transfers.Add(t.row)
	}
	t.label.SetText(T("%s %s：%s / %s", phaseLabel(p.Phase), p.Item, formatBytes(p.Done), formatBytes(p.Total)))
	if p.Total > 0 {
		t.bar.SetValue(float64(p.Done) / float64(p.Total))
	}
}

// show writes the bar's state into its labels.
func (b *statusBar) show() {
	switch {
	case !b.known:
		b.dot.FillColor = colorGrey
		b.online.SetText(T("尚未连接服务器"))
	case b.isOnline:
		b.dot.FillColor = colorGreen
		b.online.SetText(T("在线"))
	case assess.ErrorCode(b.lastErr) == assess.EUnauthorized:
		b.dot.FillColor = colorRed
		b.online.SetText(T("登录已过期，请退出后重新登录"))
	default:
		b.dot.FillColor = colorRed
		b.online.SetText(T("离线（修改保存在本机，联网后自动同步）"))
	}
	b.dot.Refresh()
	if b.nPending > 0 {
		b.pending.SetText(T("待发送 %d 项", b.nPending))
	} else {
		b.pending.SetText(T("没有待发送的修改"))
	}
	if b.nRejected > 0 {
		b.conflicts.SetText(T("冲突 %d 项，请处理", b.nRejected))
		b.conflicts.Show()
	} else {
		b.conflicts.Hide()
	}
	if b.lastSync.IsZero() {
		b.last.SetText(T("尚未同步"))
	} else {
		b.last.SetText(T("上次同步 %s", b.lastSync.In(assess.CST).Format("2006-01-02 15:04")))
	}
}

// phaseLabel names a sync phase in the chosen language.
func phaseLabel(p client.Phase) string {
	switch p {
	case client.PhaseUpload:
		return T("上传")
	case client.PhasePush:
		return T("推送")
	case client.PhasePull:
		return T("拉取")
	case client.PhaseDownload:
		return T("下载")
	}
	return T("空闲")
}

// Status returns the status bar's texts, for tests and the tour.
func (s *Shell) Status() (online, pending, last string) {
	if s.status == nil {
		return "", "", ""
	}
	return s.status.online.Text, s.status.pending.Text, s.status.last.Text
}

// formatBytes writes a size as people read it: 12.3 MB.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "KMGTPE"[exp])
}

// showConflicts lists the changes the server refused, each with the
// server's reason in Chinese and the choices: keep mine (sent again as a
// new version) or take the server's.
func (s *Shell) showConflicts() {
	background(s, func(ctx context.Context) ([]rejection, error) {
		rs, err := s.db().Rejected(ctx)
		out := make([]rejection, len(rs))
		for i, r := range rs {
			out[i] = rejection{ChangeID: r.ChangeID, Kind: r.KindLabel(), Ref: r.Ref, Message: r.Message, MadeAt: r.MadeAt}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].MadeAt.Before(out[j].MadeAt) })
		return out, err
	}, func(rs []rejection, err error) {
		if err != nil {
			s.showError(err)
			return
		}
		s.conflictDialog(rs)
	})
}

// rejection is a refused change as the conflicts list shows it.
type rejection struct {
	ChangeID string
	Kind     string
	Ref      string
	Message  string
	MadeAt   time.Time
}

func (s *Shell) conflictDialog(rs []rejection) {
	if len(rs) == 0 {
		s.info(T("同步冲突"), T("没有需要处理的冲突。"))
		return
	}
	box := container.NewVBox()
	var d interface{ Hide() }
	for _, r := range rs {
		r := r
		what := widget.NewLabel(T("%s · %s（%s 修改）", r.Kind, r.Ref, r.MadeAt.In(assess.CST).Format("01-02 15:04")))
		what.TextStyle.Bold = true
		why := widget.NewLabel(T("服务器未接受：%s", r.Message))
		why.Wrapping = fyne.TextWrapWord
		mine := widget.NewButton(T("保留我的（作为新版本重新发送）"), func() {
			d.Hide()
			s.act(func(ctx context.Context) error { return s.db().KeepMine(ctx, r.ChangeID) }, nil)
		})
		mine.Importance = widget.HighImportance
		theirs := widget.NewButton(T("采用服务器的"), func() {
			d.Hide()
			s.act(func(ctx context.Context) error { return s.db().TakeServer(ctx, r.ChangeID) }, nil)
		})
		box.Add(container.NewVBox(what, why, container.NewHBox(layout.NewSpacer(), theirs, mine), widget.NewSeparator()))
	}
	scroll := container.NewVScroll(box)
	scroll.SetMinSize(fyne.NewSize(640, 360))
	dlg := dialog.NewCustom(T("同步冲突"), T("关闭"), scroll, s.win)
	d = dlg
	s.keys(dlg, dlg.Hide, dlg.Hide)
	dlg.Show()
}
