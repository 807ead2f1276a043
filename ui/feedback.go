package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// feedback is the 反馈报告 area.
type feedback struct {
	s   *Shell
	box fyne.CanvasObject
}

func newFeedback(s *Shell) area {
	return &feedback{s: s, box: widget.NewLabel(T("反馈报告"))}
}

func (a *feedback) view() fyne.CanvasObject { return a.box }

func (a *feedback) refresh() {}
