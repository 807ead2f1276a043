package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// external is the 第三方评估 area.
type external struct {
	s   *Shell
	box fyne.CanvasObject
}

func newExternal(s *Shell) area {
	return &external{s: s, box: widget.NewLabel(T("第三方评估"))}
}

func (a *external) view() fyne.CanvasObject { return a.box }

func (a *external) refresh() {}
