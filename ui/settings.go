package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// settings is the 系统管理 area.
type settings struct {
	s   *Shell
	box fyne.CanvasObject
}

func newSettings(s *Shell) area {
	return &settings{s: s, box: widget.NewLabel(T("系统管理"))}
}

func (a *settings) view() fyne.CanvasObject { return a.box }

func (a *settings) refresh() {}
