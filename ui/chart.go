package ui

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// bar is one bar of a bar chart.
type bar struct {
	Label string
	Value float64
	Max   float64 // the bar's full length; 0 means the chart's largest Max
	Color color.Color
	Text  string // shown after the bar; empty shows Value of Max
}

// barChart draws horizontal bars with Fyne canvas objects: a label, a
// track, the bar and its value. It is a widget so that it lays itself out
// again when resized.
type barChart struct {
	widget.BaseWidget
	bars       []bar
	labelWidth float32
	valueWidth float32 // room for the text after the bars
}

// newBarChart returns a chart of bars.
func newBarChart(bars []bar) *barChart {
	c := &barChart{bars: bars, labelWidth: 150, valueWidth: 110}
	c.ExtendBaseWidget(c)
	return c
}

// SetBars replaces the bars.
func (c *barChart) SetBars(bars []bar) {
	c.bars = bars
	c.Refresh()
}

// Bars returns the bars shown.
func (c *barChart) Bars() []bar { return c.bars }

// CreateRenderer draws the bars.
func (c *barChart) CreateRenderer() fyne.WidgetRenderer {
	r := &barRenderer{c: c}
	r.build()
	return r
}

type barRenderer struct {
	c       *barChart
	objects []fyne.CanvasObject
	labels  []*canvas.Text
	tracks  []*canvas.Rectangle
	fills   []*canvas.Rectangle
	values  []*canvas.Text
}

const barHeight, barGap = float32(18), float32(8)

func (r *barRenderer) build() {
	r.objects = r.objects[:0]
	r.labels, r.tracks, r.fills, r.values = nil, nil, nil, nil
	fg := theme.Color(theme.ColorNameForeground)
	for _, b := range r.c.bars {
		l := canvas.NewText(b.Label, fg)
		l.TextSize = theme.TextSize() - 1
		track := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
		fc := b.Color
		if fc == nil {
			fc = theme.Color(theme.ColorNamePrimary)
		}
		fill := canvas.NewRectangle(fc)
		txt := b.Text
		if txt == "" {
			txt = fmt.Sprintf("%.1f / %.0f", b.Value, b.Max)
		}
		v := canvas.NewText(txt, fg)
		v.TextSize = theme.TextSize() - 1
		r.labels, r.tracks, r.fills, r.values = append(r.labels, l), append(r.tracks, track), append(r.fills, fill), append(r.values, v)
		r.objects = append(r.objects, l, track, fill, v)
	}
}

func (r *barRenderer) Layout(size fyne.Size) {
	largest := 0.0
	for _, b := range r.c.bars {
		if b.Max > largest {
			largest = b.Max
		}
		if b.Value > largest {
			largest = b.Value
		}
	}
	trackWidth := size.Width - r.c.labelWidth - r.c.valueWidth - 8
	if trackWidth < 20 {
		trackWidth = 20
	}
	for i, b := range r.c.bars {
		y := float32(i) * (barHeight + barGap)
		r.labels[i].Move(fyne.NewPos(0, y))
		r.labels[i].Resize(fyne.NewSize(r.c.labelWidth-6, barHeight))
		full := b.Max
		if full <= 0 {
			full = largest
		}
		r.tracks[i].Move(fyne.NewPos(r.c.labelWidth, y+2))
		r.tracks[i].Resize(fyne.NewSize(trackWidth*float32(ratio(full, largest)), barHeight-4))
		r.fills[i].Move(fyne.NewPos(r.c.labelWidth, y+2))
		r.fills[i].Resize(fyne.NewSize(trackWidth*float32(ratio(b.Value, largest)), barHeight-4))
		r.values[i].Move(fyne.NewPos(r.c.labelWidth+trackWidth+8, y))
	}
}

func ratio(v, max float64) float64 {
	if max <= 0 || v <= 0 {
		return 0
	}
	if v > max {
		return 1
	}
	return v / max
}

func (r *barRenderer) MinSize() fyne.Size {
	n := float32(len(r.c.bars))
	return fyne.NewSize(r.c.labelWidth+r.c.valueWidth+90, n*(barHeight+barGap))
}

func (r *barRenderer) Refresh() {
	r.build()
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *barRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *barRenderer) Destroy() {}

// chartCard puts a chart under a title, scrolling when it is long.
func chartCard(title string, c *barChart, height float32) fyne.CanvasObject {
	scroll := container.NewVScroll(c)
	scroll.SetMinSize(fyne.NewSize(300, height))
	return widget.NewCard(title, "", scroll)
}

// lineChart draws a series of percentages (0..100) as a line over a
// horizontal axis of labelled points, with grid lines at every quarter: the
// trend of a share over the days. It is a widget so that it lays itself out
// again when resized.
type lineChart struct {
	widget.BaseWidget
	values []float64 // 0..100, one per point
	labels []string  // the points' axis labels, len(values)
	color  color.Color
}

// newLineChart returns an empty line chart.
func newLineChart() *lineChart {
	c := &lineChart{}
	c.ExtendBaseWidget(c)
	return c
}

// SetPoints replaces the points: values in percent and their labels.
func (c *lineChart) SetPoints(values []float64, labels []string) {
	c.values, c.labels = values, labels
	c.Refresh()
}

// Values returns the values drawn.
func (c *lineChart) Values() []float64 { return c.values }

// CreateRenderer draws the chart.
func (c *lineChart) CreateRenderer() fyne.WidgetRenderer {
	r := &lineRenderer{c: c}
	r.build()
	return r
}

// Margins of the line chart's plot area: the y labels on the left, the x
// labels below.
const (
	lineLeft   = float32(44)
	lineRight  = float32(16)
	lineTop    = float32(10)
	lineBottom = float32(24)
	lineGrid   = 4 // grid intervals: 0, 25, 50, 75, 100 %
	lineTicks  = 6 // x labels at most
)

type lineRenderer struct {
	c       *lineChart
	objects []fyne.CanvasObject
	grid    []*canvas.Line
	yLabels []*canvas.Text
	xLabels []*canvas.Text
	xTicks  []int // the point of each x label
	lines   []*canvas.Line
	dots    []*canvas.Circle
	last    *canvas.Text
}

func (r *lineRenderer) build() {
	r.objects = r.objects[:0]
	r.grid, r.yLabels, r.xLabels, r.xTicks, r.lines, r.dots = nil, nil, nil, nil, nil, nil
	fg := theme.Color(theme.ColorNameForeground)
	muted := theme.Color(theme.ColorNamePlaceHolder)
	gridColor := theme.Color(theme.ColorNameSeparator)
	size := theme.TextSize() - 2
	for i := 0; i <= lineGrid; i++ {
		g := canvas.NewLine(gridColor)
		g.StrokeWidth = 1
		l := canvas.NewText(fmt.Sprintf("%d%%", i*100/lineGrid), muted)
		l.TextSize = size
		l.Alignment = fyne.TextAlignTrailing
		r.grid, r.yLabels = append(r.grid, g), append(r.yLabels, l)
		r.objects = append(r.objects, g, l)
	}
	n := len(r.c.values)
	if n > 0 {
		step := max(1, (n+lineTicks-2)/(lineTicks-1))
		for i := 0; i < n; i += step {
			r.xTicks = append(r.xTicks, i)
		}
		if r.xTicks[len(r.xTicks)-1] != n-1 {
			if n-1-r.xTicks[len(r.xTicks)-1] < step/2 {
				r.xTicks = r.xTicks[:len(r.xTicks)-1]
			}
			r.xTicks = append(r.xTicks, n-1)
		}
		for _, i := range r.xTicks {
			label := ""
			if i < len(r.c.labels) {
				label = r.c.labels[i]
			}
			t := canvas.NewText(label, muted)
			t.TextSize = size
			r.xLabels = append(r.xLabels, t)
			r.objects = append(r.objects, t)
		}
	}
	lc := r.c.color
	if lc == nil {
		lc = theme.Color(theme.ColorNamePrimary)
	}
	for i := 1; i < n; i++ {
		l := canvas.NewLine(lc)
		l.StrokeWidth = 2
		r.lines = append(r.lines, l)
		r.objects = append(r.objects, l)
	}
	for range n {
		d := canvas.NewCircle(lc)
		r.dots = append(r.dots, d)
		r.objects = append(r.objects, d)
	}
	r.last = canvas.NewText("", fg)
	r.last.TextSize = size + 1
	r.last.TextStyle.Bold = true
	if n > 0 {
		r.last.Text = fmt.Sprintf("%.1f%%", r.c.values[n-1])
	}
	r.objects = append(r.objects, r.last)
}

// point is where the value of point i is drawn in a plot of size.
func (r *lineRenderer) point(i int, size fyne.Size) fyne.Position {
	w := max(size.Width-lineLeft-lineRight, 10)
	h := max(size.Height-lineTop-lineBottom, 10)
	x := lineLeft
	if n := len(r.c.values); n > 1 {
		x += w * float32(i) / float32(n-1)
	}
	v := min(max(r.c.values[i], 0), 100)
	return fyne.NewPos(x, lineTop+h*float32(1-v/100))
}

func (r *lineRenderer) Layout(size fyne.Size) {
	w := max(size.Width-lineLeft-lineRight, 10)
	h := max(size.Height-lineTop-lineBottom, 10)
	for i, g := range r.grid {
		y := lineTop + h*float32(lineGrid-i)/lineGrid
		g.Position1 = fyne.NewPos(lineLeft, y)
		g.Position2 = fyne.NewPos(lineLeft+w, y)
		l := r.yLabels[i]
		l.Move(fyne.NewPos(0, y-l.MinSize().Height/2))
		l.Resize(fyne.NewSize(lineLeft-6, l.MinSize().Height))
	}
	for k, i := range r.xTicks {
		t := r.xLabels[k]
		p := r.point(i, size)
		tw := t.MinSize().Width
		x := min(max(p.X-tw/2, 0), size.Width-tw)
		t.Move(fyne.NewPos(x, lineTop+h+4))
	}
	for i, l := range r.lines {
		l.Position1 = r.point(i, size)
		l.Position2 = r.point(i+1, size)
	}
	const dot = float32(5)
	for i, d := range r.dots {
		p := r.point(i, size)
		d.Position1 = fyne.NewPos(p.X-dot/2, p.Y-dot/2)
		d.Position2 = fyne.NewPos(p.X+dot/2, p.Y+dot/2)
	}
	if n := len(r.c.values); n > 0 {
		p := r.point(n-1, size)
		tw := r.last.MinSize()
		y := p.Y - tw.Height - 4
		if y < 0 {
			y = p.Y + 4
		}
		r.last.Move(fyne.NewPos(min(p.X-tw.Width/2, size.Width-tw.Width), y))
	}
}

func (r *lineRenderer) MinSize() fyne.Size { return fyne.NewSize(320, 180) }

func (r *lineRenderer) Refresh() {
	r.build()
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *lineRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *lineRenderer) Destroy() {}
