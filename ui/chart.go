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
}

// newBarChart returns a chart of bars.
func newBarChart(bars []bar) *barChart {
	c := &barChart{bars: bars, labelWidth: 150}
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
	valueWidth := float32(110)
	trackWidth := size.Width - r.c.labelWidth - valueWidth - 8
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
	return fyne.NewSize(r.c.labelWidth+200, n*(barHeight+barGap))
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
