package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// filing is the 指标填报 area.
type filing struct {
	s   *Shell
	box fyne.CanvasObject
}

func newFiling(s *Shell) area {
	return &filing{s: s, box: widget.NewLabel(T("指标填报"))}
}

func (a *filing) view() fyne.CanvasObject { return a.box }

func (a *filing) refresh() {}
