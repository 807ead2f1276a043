package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// indicators is the 指标管理 area.
type indicators struct {
	s   *Shell
	box fyne.CanvasObject
}

func newIndicators(s *Shell) area {
	return &indicators{s: s, box: widget.NewLabel(T("指标管理"))}
}

func (a *indicators) view() fyne.CanvasObject { return a.box }

func (a *indicators) refresh() {}
