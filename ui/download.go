package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// download is the 数据下载 area.
type download struct {
	s   *Shell
	box fyne.CanvasObject
}

func newDownload(s *Shell) area {
	return &download{s: s, box: widget.NewLabel(T("数据下载"))}
}

func (a *download) view() fyne.CanvasObject { return a.box }

func (a *download) refresh() {}
