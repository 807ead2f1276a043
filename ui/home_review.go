package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// reviewerHome is the 各单位进度 area.
type reviewerHome struct {
	s   *Shell
	box fyne.CanvasObject
}

func newReviewerHome(s *Shell) area {
	return &reviewerHome{s: s, box: widget.NewLabel(T("各单位进度"))}
}

func (a *reviewerHome) view() fyne.CanvasObject { return a.box }

func (a *reviewerHome) refresh() {}
