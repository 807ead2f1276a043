package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// withHeader gives a table a bold header row titled by title and sets its
// columns' widths, in column order.
func withHeader(t *widget.Table, title func(col int) string, widths ...float32) {
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		o.(*widget.Label).SetText(title(id.Col))
	}
	for col, w := range widths {
		t.SetColumnWidth(col, w)
	}
}
