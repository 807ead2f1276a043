package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// reporterHome is the 我的任务 area.
type reporterHome struct {
	s   *Shell
	box fyne.CanvasObject
}

func newReporterHome(s *Shell) area {
	return &reporterHome{s: s, box: widget.NewLabel(T("我的任务"))}
}

func (a *reporterHome) view() fyne.CanvasObject { return a.box }

func (a *reporterHome) refresh() {}
