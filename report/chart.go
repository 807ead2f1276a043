package report

import (
	"fmt"
	"math"

	"github.com/yiwangtong/yiwangtong/assess"
)

// bar is one bar of a horizontal bar chart: value drawn dark over a light
// outline of max, both on the chart's common scale.
type bar struct {
	label string
	value float64
	max   float64
	note  string // printed right of the bar
}

const (
	barH      = 5.0
	barGap    = 2.2
	barLabelW = 44.0
	barNoteW  = 30.0
)

// barChart draws a horizontal bar chart with a scale from 0 to the largest
// max (or value), grid lines at round steps, and each bar's label on the
// left and note on the right. The chart is kept on one page when it fits.
func (d *pdfDoc) barChart(bars []bar) {
	if len(bars) == 0 {
		return
	}
	scale := 0.0
	for _, b := range bars {
		scale = math.Max(scale, math.Max(b.max, b.value))
	}
	if scale <= 0 {
		scale = 1
	}
	step := niceStep(scale / 5)
	scale = math.Ceil(scale/step-1e-9) * step
	d.setSize(sizeSmall)
	lh := d.lineH()
	areaX := marginLeft + barLabelW
	areaW := contentW - barLabelW - barNoteW
	if total := chartHeight(len(bars)); total <= chartWhole {
		d.ensure(total)
	}
	drawAxis := func(top, bottom float64) {
		d.f.SetDrawColor(190, 190, 190)
		d.f.SetLineWidth(0.1)
		for v := 0.0; v <= scale+1e-9; v += step {
			x := areaX + v/scale*areaW
			d.f.Line(x, top, x, bottom)
			d.textIn(x-8, bottom+0.5, 16, lh, assess.FormatScore(v), "C", false)
		}
		d.f.SetDrawColor(0, 0, 0)
		d.f.SetLineWidth(0.2)
		d.trace("axis %.1f..%.1f 0..%s step %s", top, bottom, assess.FormatScore(scale), assess.FormatScore(step))
	}
	for len(bars) > 0 {
		// The bars that fit on this page, under their own scale.
		k := int((contentBottom - d.y - lh - 1) / (barH + barGap))
		if k < 1 {
			d.newPage()
			d.setSize(sizeSmall)
			continue
		}
		k = min(k, len(bars))
		drawAxis(d.y, d.y+float64(k)*(barH+barGap))
		for _, b := range bars[:k] {
			y := d.y + barGap/2
			label := d.fit(d.wrap(b.label, barLabelW-2), 1, barLabelW-2)[0]
			d.textIn(marginLeft, y, barLabelW-2, barH, label, "R", false)
			if b.max > 0 {
				d.rect(areaX, y, b.max/scale*areaW, barH, "FD", 235)
			}
			if b.value > 0 {
				d.rect(areaX, y, b.value/scale*areaW, barH, "F", 90)
			}
			d.text(areaX+areaW+2, y, barH, b.note, "L", false)
			d.y += barH + barGap
		}
		bars = bars[k:]
		if len(bars) > 0 {
			d.newPage()
			d.setSize(sizeSmall)
		}
	}
	d.y += lh + 1
	d.setSize(sizeBody)
}

// chartWhole is the tallest chart kept on one page, leaving room for its
// heading.
const chartWhole = contentBottom - marginTop - 20

// chartHeight is the height of a bar chart of n bars with its scale.
func chartHeight(n int) float64 {
	return float64(n)*(barH+barGap) + sizeSmall*ptToMM*lineSpacing + 1
}

// chartKeep is how much of a chart of n bars its heading keeps with it: the
// whole chart when it fits on a page, else its first few bars.
func chartKeep(n int) float64 {
	if h := chartHeight(n); h <= chartWhole {
		return h
	}
	return chartHeight(5)
}

// niceStep rounds a raw step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p+1e-12 {
			return m * p
		}
	}
	return 10 * p
}

// percent prints part ÷ whole as a whole percentage, "—" when whole is 0.
func percent(part, whole float64) string {
	if whole <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", part/whole*100)
}
