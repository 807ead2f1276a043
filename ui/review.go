package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// review is the 指标审核 area.
type review struct {
	s   *Shell
	box fyne.CanvasObject
}

func newReview(s *Shell) area {
	return &review{s: s, box: widget.NewLabel(T("指标审核"))}
}

func (a *review) view() fyne.CanvasObject { return a.box }

func (a *review) refresh() {}
