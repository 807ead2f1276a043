package report

import "math"

// pdfColumn is a column of a PDF table: its header, width in millimetres
// and alignment ("L", "C" or "R").
type pdfColumn struct {
	title string
	width float64
	align string
}

// pdfRow is a row of a PDF table; shaded rows get a light background.
type pdfRow struct {
	cells  []string
	shaded bool
}

const (
	cellPadX = 1.2
	cellPadY = 0.9
)

// table draws rows under a header row at the current cursor. Long cells
// wrap within their column; a row that does not fit on the page goes to
// the next, and the header is drawn again at the top of every page the
// table runs onto. A row taller than a whole page is cut to fit, its
// longest cells ending in "…".
func (d *pdfDoc) table(cols []pdfColumn, rows []pdfRow) {
	size := d.size
	d.setSize(sizeTable)
	lh := d.lineH()
	headerH := d.rowHeight(cols, headerCells(cols), lh)
	maxLines := int(math.Floor((contentBottom - marginTop - headerH - 2*cellPadY) / lh))
	if d.head != "" {
		maxLines-- // leave room under the running head
	}
	wrapped := make([][][]string, len(rows))
	heights := make([]float64, len(rows))
	for r, row := range rows {
		wrapped[r], heights[r] = d.wrapRow(cols, row, maxLines, lh)
	}
	// Keep the header with the first row.
	first := 0.0
	if len(rows) > 0 {
		first = heights[0]
	}
	if !d.room(headerH + first) {
		d.newPage()
		d.setSize(sizeTable)
	}
	d.tableHeader(cols, headerH, lh)
	for r, row := range rows {
		if !d.room(heights[r]) {
			d.newPage()
			d.setSize(sizeTable)
			d.tableHeader(cols, headerH, lh)
		}
		d.drawRow(cols, wrapped[r], heights[r], lh, row.shaded, false)
	}
	d.setSize(size)
}

// wrapRow wraps a row's cells to their columns, at most maxLines each, and
// returns them with the row's height.
func (d *pdfDoc) wrapRow(cols []pdfColumn, row pdfRow, maxLines int, lh float64) ([][]string, float64) {
	out := make([][]string, len(cols))
	n := 1
	for i, c := range cols {
		text := ""
		if i < len(row.cells) {
			text = row.cells[i]
		}
		out[i] = d.fit(d.wrap(text, c.width-2*cellPadX), maxLines, c.width-2*cellPadX)
		n = max(n, len(out[i]))
	}
	return out, float64(n)*lh + 2*cellPadY
}

// tableLead returns the height of a table's header and first row: what a
// heading above the table keeps with it.
func (d *pdfDoc) tableLead(cols []pdfColumn, rows []pdfRow) float64 {
	size := d.size
	d.setSize(sizeTable)
	defer d.setSize(size)
	lh := d.lineH()
	h := d.rowHeight(cols, headerCells(cols), lh)
	if len(rows) > 0 {
		_, first := d.wrapRow(cols, rows[0], 1<<20, lh)
		h += first
	}
	return min(h, contentBottom-marginTop-20)
}

func headerCells(cols []pdfColumn) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.title
	}
	return out
}

// rowHeight is the height of a row of cells once wrapped.
func (d *pdfDoc) rowHeight(cols []pdfColumn, cells []string, lh float64) float64 {
	n := 1
	for i, c := range cols {
		n = max(n, len(d.wrap(cells[i], c.width-2*cellPadX)))
	}
	return float64(n)*lh + 2*cellPadY
}

func (d *pdfDoc) tableHeader(cols []pdfColumn, h, lh float64) {
	wrapped := make([][]string, len(cols))
	for i, c := range cols {
		wrapped[i] = d.wrap(c.title, c.width-2*cellPadX)
	}
	d.drawRow(cols, wrapped, h, lh, true, true)
}

// drawRow draws one row of wrapped cells at the cursor and moves it down.
func (d *pdfDoc) drawRow(cols []pdfColumn, cells [][]string, h, lh float64, shaded, header bool) {
	x := marginLeft
	gray := 255
	switch {
	case header:
		gray = 225
	case shaded:
		gray = 242
	}
	for i, c := range cols {
		style := "D"
		if gray < 255 {
			style = "FD"
		}
		d.rect(x, d.y, c.width, h, style, gray)
		align := c.align
		if header {
			align = "C"
		}
		// Centre the cell's lines vertically in the row.
		top := d.y + cellPadY + (h-2*cellPadY-float64(len(cells[i]))*lh)/2
		for j, line := range cells[i] {
			d.textIn(x+cellPadX, top+float64(j)*lh, c.width-2*cellPadX, lh, line, align, header)
		}
		x += c.width
	}
	d.y += h
}
