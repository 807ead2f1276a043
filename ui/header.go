package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/yiwangtong/yiwangtong/assess"
)

// header is the strip above the areas: the system's name, who is logged in
// for which unit, and the assessment year shown.
type header struct {
	s    *Shell
	who  *widget.Label
	year *widget.Select
	ids  []string
	box  fyne.CanvasObject
	demo *widget.Label
}

func newHeader(s *Shell) *header {
	h := &header{s: s}
	title := canvas.NewText(T("一网通 · 法治政府建设督察考核"), theme.Color(theme.ColorNamePrimary))
	title.TextSize = 18
	title.TextStyle.Bold = true
	h.who = widget.NewLabel("")
	h.who.Alignment = fyne.TextAlignTrailing
	h.who.Truncation = fyne.TextTruncateEllipsis
	h.demo = widget.NewLabel(T("演示数据"))
	h.demo.Importance = widget.WarningImportance
	if s.demo == nil {
		h.demo.Hide()
	}
	h.year = widget.NewSelect(nil, func(label string) {
		for i, l := range h.year.Options {
			if l == label && i < len(h.ids) {
				s.setYear(h.ids[i])
			}
		}
	})
	logout := widget.NewButtonWithIcon(T("退出登录"), theme.LogoutIcon(), s.logout)
	logout.Importance = widget.LowImportance
	left := container.NewHBox(title, h.demo)
	right := container.NewHBox(widget.NewLabel(T("考核年度")),
		container.NewGridWrap(fyne.NewSize(190, h.year.MinSize().Height), h.year), logout)
	h.box = container.NewVBox(container.NewBorder(nil, nil, left, right, h.who), widget.NewSeparator())
	h.refresh()
	return h
}

func (h *header) view() fyne.CanvasObject { return h.box }

// refresh shows the user and the years known so far.
func (h *header) refresh() {
	s := h.s
	u := s.user
	name := u.Name
	if name == "" {
		name = u.Username
	}
	unit := s.unitName(u.UnitID)
	h.who.SetText(T("%s（%s · %s）", name, unit, roleLabel(u.Role)))
	h.ids = h.ids[:0]
	var opts []string
	for _, y := range s.years {
		if y.State == assess.YearDraft && u.Role != assess.Reviewer {
			continue
		}
		h.ids = append(h.ids, y.ID)
		opts = append(opts, yearLabel(y))
	}
	h.year.Options = opts
	sel := ""
	for i, id := range h.ids {
		if id == s.year.ID {
			sel = opts[i]
		}
	}
	h.year.Selected = sel
	h.year.Refresh()
}

// roleLabel names a role in the chosen language.
func roleLabel(r assess.Role) string {
	switch r {
	case assess.Reporter:
		return T("填报用户")
	case assess.Reviewer:
		return T("审核用户")
	case assess.Service:
		return T("接口账号")
	}
	return string(r)
}

// yearLabel names a year with its state, e.g. 2026年度（已发布）.
func yearLabel(y assess.Year) string {
	name := y.Name
	if name == "" {
		name = y.ID
	}
	return name + "（" + yearStateLabel(y.State) + "）"
}

// yearStateLabel names a year's state.
func yearStateLabel(st assess.YearState) string {
	switch st {
	case assess.YearDraft:
		return T("草拟中")
	case assess.YearPublished:
		return T("已发布")
	case assess.YearClosed:
		return T("已关闭")
	}
	return string(st)
}
