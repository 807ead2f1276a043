package report

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"

	"github.com/yiwangtong/yiwangtong/assess"
)

// Options control how a PDF is written. The zero value is right for
// printing.
type Options struct {
	// Uncompressed leaves the page contents uncompressed, so that a golden
	// file shows a layout change as a readable diff.
	Uncompressed bool
	// Layout, when set, receives one line per element drawn (text line,
	// rule, box, chart bar, QR code) with its page and position in
	// millimetres: the layout dump the golden tests compare.
	Layout io.Writer
}

// Page geometry after GB/T 9704 (millimetres, A4 portrait).
const (
	pageW         = 210.0
	pageH         = 297.0
	marginTop     = 37.0
	marginLeft    = 28.0
	marginRight   = 26.0
	marginBottom  = 35.0
	contentW      = pageW - marginLeft - marginRight // 156
	contentBottom = pageH - marginBottom             // 262
)

// Type sizes in points: 二号 title, 三号 and 四号 headings, 小四 body, table
// text a little smaller.
const (
	sizeTitle    = 22.0
	sizeHeading  = 15.0
	sizeBody     = 11.0
	sizeTable    = 9.0
	sizeSmall    = 8.0
	lineSpacing  = 1.45 // line height ÷ font size
	ptToMM       = 25.4 / 72
	boldStrokeEm = 0.03 // simulated bold: outline stroke as a fraction of the size
	fontFamily   = "cjk"
)

// pdfDoc is one PDF being drawn: fpdf plus a cursor, the running head and
// foot, and the record of characters the loaded font does not have.
type pdfDoc struct {
	f       *fpdf.Fpdf
	opt     Options
	has     map[rune]bool // runes the font was cut to; nil means all
	missing map[rune]bool // runes drawn that the font lacks
	widths  map[rune]float64
	y       float64 // cursor: top of the next line, mm
	size    float64 // current font size, pt
	head    string  // running head, on every page after the first
	foot    string  // left footer
}

// loadFont returns the font a document loads first and the runes it has
// (nil: all). Benchmarks swap it for the full font to measure the cut.
var loadFont = commonFont

// renderPDF draws a document with draw and writes it to w. The document is
// drawn with the common font; if it drew characters outside that font it is
// drawn once more with a font that has them. created becomes the PDF's
// creation and modification date.
func renderPDF(w io.Writer, opt Options, title string, created time.Time, draw func(d *pdfDoc) error) error {
	if created.IsZero() {
		return assess.Errorf(assess.EInvalid, "报告缺少生成时间，无法生成 (the report has no generation time)")
	}
	font, has := loadFont()
	d, err := drawPDF(font, has, opt, title, created, draw)
	if err != nil {
		return err
	}
	if len(d.missing) > 0 {
		if d, err = drawPDF(extendedFont(d.missing), nil, opt, title, created, draw); err != nil {
			return err
		}
	}
	if err := d.f.Output(w); err != nil {
		return fmt.Errorf("write PDF: %w", err)
	}
	return nil
}

func drawPDF(font []byte, has map[rune]bool, opt Options, title string, created time.Time, draw func(d *pdfDoc) error) (*pdfDoc, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(!opt.Uncompressed)
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetCatalogSort(true)
	f.SetProducer("一网通 Yiwangtong", true)
	f.SetCreator("一网通 Yiwangtong", true)
	f.SetTitle(title, true)
	f.AddUTF8FontFromBytes(fontFamily, "", font)
	f.AliasNbPages("{nb}")
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(false, marginBottom)
	d := &pdfDoc{f: f, opt: opt, has: has, missing: map[rune]bool{}, widths: map[rune]float64{}}
	f.SetFooterFunc(d.footer)
	f.SetHeaderFunc(d.header)
	d.setSize(sizeBody)
	d.newPage()
	if err := draw(d); err != nil {
		return nil, err
	}
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("draw PDF: %w", err)
	}
	f.Close()
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("draw PDF: %w", err)
	}
	return d, nil
}

// trace writes one line of the layout dump.
func (d *pdfDoc) trace(format string, args ...any) {
	if d.opt.Layout == nil {
		return
	}
	fmt.Fprintf(d.opt.Layout, "p%d ", d.f.PageNo())
	fmt.Fprintf(d.opt.Layout, format, args...)
	fmt.Fprintln(d.opt.Layout)
}

// newPage starts a page; the header function draws the running head and
// sets the cursor.
func (d *pdfDoc) newPage() {
	d.f.AddPage()
}

func (d *pdfDoc) header() {
	d.y = marginTop
	if d.f.PageNo() == 1 || d.head == "" {
		return
	}
	size := d.size
	d.setSize(sizeSmall)
	d.f.SetTextColor(90, 90, 90)
	d.text(marginLeft, marginTop-12, 5, d.head, "L", false)
	d.f.SetTextColor(0, 0, 0)
	d.rule(marginTop-6, 0.2)
	d.setSize(size)
}

func (d *pdfDoc) footer() {
	size := d.size
	d.setSize(sizeSmall)
	y := contentBottom + 8
	n := d.f.PageNo()
	d.text(marginLeft, y, 5, fmt.Sprintf("第 %d 页 共 {nb} 页", n), "C", false)
	if d.foot != "" {
		d.f.SetTextColor(90, 90, 90)
		d.text(marginLeft, y+5, 5, d.foot, "L", false)
		d.f.SetTextColor(0, 0, 0)
	}
	d.setSize(size)
}

// setSize sets the font size in points.
func (d *pdfDoc) setSize(pt float64) {
	d.size = pt
	d.f.SetFont(fontFamily, "", pt)
}

// lineH is the height of a line of text at the current size, mm.
func (d *pdfDoc) lineH() float64 { return d.size * ptToMM * lineSpacing }

// width returns the width of s at the current size, mm.
func (d *pdfDoc) width(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += d.runeWidth(r)
	}
	return w
}

func (d *pdfDoc) runeWidth(r rune) float64 {
	per, ok := d.widths[r]
	if !ok {
		per = d.f.GetStringWidth(string(r)) / d.size
		d.widths[r] = per
	}
	return per * d.size
}

// text draws one line of s in a box at (x, top) of height h, aligned "L",
// "C" (centred on the content width) or "R" (flush with the right edge of
// the content), optionally in simulated bold. It returns the drawn width.
func (d *pdfDoc) text(x, top, h float64, s, align string, bold bool) float64 {
	s = clean(strings.ReplaceAll(s, "\n", " "))
	if s == "" {
		return 0
	}
	for _, r := range s {
		if d.has != nil && r > ' ' && !d.has[r] {
			d.missing[r] = true
		}
	}
	w := d.width(s)
	switch align {
	case "C":
		x = marginLeft + (contentW-w)/2
	case "R":
		x = marginLeft + contentW - w
	}
	base := top + h/2 + 0.36*d.size*ptToMM
	if bold {
		d.f.SetLineWidth(d.size * ptToMM * boldStrokeEm)
		d.f.SetTextRenderingMode(2)
	}
	d.f.Text(x, base, s)
	if bold {
		d.f.SetTextRenderingMode(0)
		d.f.SetLineWidth(0.2)
	}
	b := ""
	if bold {
		b = " bold"
	}
	d.trace("text %.1f,%.1f %gpt%s %q", x, top, d.size, b, s)
	return w
}

// textIn draws s in a box at (x, top) of width w, aligned within it.
func (d *pdfDoc) textIn(x, top, w, h float64, s, align string, bold bool) {
	tw := d.width(clean(s))
	switch align {
	case "C":
		x += (w - tw) / 2
	case "R":
		x += w - tw
	}
	d.text(x, top, h, s, "L", bold)
}

// rule draws a horizontal line across the content width at y.
func (d *pdfDoc) rule(y, width float64) {
	d.f.SetLineWidth(width)
	d.f.Line(marginLeft, y, marginLeft+contentW, y)
	d.f.SetLineWidth(0.2)
	d.trace("rule %.1f w%.2f", y, width)
}

// rect draws a rectangle: style "D" outline, "F" fill, "FD" both; gray is
// the fill gray level (0 black … 255 white).
func (d *pdfDoc) rect(x, y, w, h float64, style string, gray int) {
	d.f.SetFillColor(gray, gray, gray)
	d.f.Rect(x, y, w, h, style)
	d.f.SetFillColor(255, 255, 255)
	d.trace("rect %.1f,%.1f %.1fx%.1f %s %d", x, y, w, h, style, gray)
}

// room reports whether h millimetres fit above the bottom margin.
func (d *pdfDoc) room(h float64) bool { return d.y+h <= contentBottom+1e-9 }

// ensure starts a new page unless h millimetres fit on this one.
func (d *pdfDoc) ensure(h float64) {
	if !d.room(h) {
		d.newPage()
	}
}

// title draws the document title, centred, wrapping if long.
func (d *pdfDoc) title(s string) {
	d.setSize(sizeTitle)
	h := d.lineH()
	for _, line := range d.wrap(s, contentW) {
		d.text(marginLeft, d.y, h, line, "C", true)
		d.y += h
	}
	d.setSize(sizeBody)
}

// subtitle draws a centred line under the title.
func (d *pdfDoc) subtitle(s string) {
	d.setSize(sizeBody)
	h := d.lineH()
	d.text(marginLeft, d.y, h, s, "C", false)
	d.y += h
}

// heading draws a section heading, keeping it with at least keep
// millimetres of what follows.
func (d *pdfDoc) heading(s string, keep float64) {
	d.setSize(sizeHeading)
	h := d.lineH()
	if d.y > marginTop+1e-9 {
		d.y += 3
	}
	d.ensure(h + keep)
	d.text(marginLeft, d.y, h, s, "L", true)
	d.y += h + 1
	d.setSize(sizeBody)
}

// paragraph draws wrapped text at the current size, breaking pages between
// lines, indented by indent millimetres.
func (d *pdfDoc) paragraph(s string, indent float64) {
	h := d.lineH()
	for _, line := range d.wrap(s, contentW-indent) {
		d.ensure(h)
		d.text(marginLeft+indent, d.y, h, line, "L", false)
		d.y += h
	}
}

// keyValues draws label–value pairs in two columns; a long value wraps
// within its column.
func (d *pdfDoc) keyValues(pairs [][2]string) {
	d.setSize(sizeBody)
	lh := d.lineH() + 1
	const labelW = 28.0
	colW := contentW / 2
	for i := 0; i < len(pairs); i += 2 {
		var lines [2][]string
		n := 1
		for j := 0; j < 2 && i+j < len(pairs); j++ {
			lines[j] = d.wrap(pairs[i+j][1], colW-labelW-2)
			n = max(n, len(lines[j]))
		}
		d.ensure(float64(n) * lh)
		for j := 0; j < 2 && i+j < len(pairs); j++ {
			x := marginLeft + float64(j)*colW
			d.f.SetTextColor(80, 80, 80)
			d.text(x, d.y, lh, pairs[i+j][0], "L", false)
			d.f.SetTextColor(0, 0, 0)
			for k, line := range lines[j] {
				d.text(x+labelW, d.y+float64(k)*lh, lh, line, "L", false)
			}
		}
		d.y += float64(n) * lh
	}
}

// clean makes data text drawable: line ends become "\n", tabs spaces,
// other control and format characters go, invalid UTF-8 and characters
// beyond the Basic Multilingual Plane (which the PDF font encoding cannot
// address) become 〓, the printer's mark for a missing character.
func clean(s string) string {
	if isPlain(s) {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			b.WriteRune('〓')
		case r == '\n':
			b.WriteRune('\n')
		case r == '\t' || r == '\r':
			b.WriteRune(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
		case r > 0xFFFF:
			b.WriteRune('〓')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isPlain(s string) bool {
	for _, r := range s {
		if r < ' ' || r == 0x7f || r > 0xFFFF || r == utf8.RuneError || r >= 0x80 && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
			return false
		}
	}
	return true
}

// wrap breaks s into lines no wider than w at the current size. Lines
// break at "\n", between CJK characters and at spaces; closing punctuation
// never starts a line and opening punctuation never ends one; a word too
// long for a line is broken where it must.
func (d *pdfDoc) wrap(s string, w float64) []string {
	s = clean(s)
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, d.wrapLine(para, w)...)
	}
	return out
}

func (d *pdfDoc) wrapLine(s string, w float64) []string {
	rs := []rune(strings.TrimRight(s, " "))
	if len(rs) == 0 {
		return []string{""}
	}
	var lines []string
	start := 0
	for start < len(rs) {
		width := 0.0
		end := start
		lastBreak := -1 // a break is allowed before rs[lastBreak]
		for end < len(rs) {
			rw := d.runeWidth(rs[end])
			if width+rw > w && end > start {
				break
			}
			width += rw
			end++
			if end < len(rs) && canBreak(rs[end-1], rs[end]) {
				lastBreak = end
			}
		}
		if end < len(rs) && lastBreak > start {
			end = lastBreak
		}
		if end == start {
			end++
		}
		lines = append(lines, strings.TrimRight(string(rs[start:end]), " "))
		start = end
		for start < len(rs) && rs[start] == ' ' {
			start++
		}
	}
	return lines
}

// canBreak reports whether a line may break between a and b.
func canBreak(a, b rune) bool {
	if strings.ContainsRune(noLineStart, b) || strings.ContainsRune(noLineEnd, a) {
		return false
	}
	if a == ' ' || b == ' ' {
		return true
	}
	return wide(a) || wide(b)
}

const (
	noLineStart = "，。、；：！？）》」』】〕”’…%,.;:!?)]}·—"
	noLineEnd   = "（《「『【〔“‘([{"
)

// wide reports whether r is a CJK character or full-width punctuation,
// between which lines may break.
func wide(r rune) bool {
	return r >= 0x2e80 && r <= 0x9fff || r >= 0xf900 && r <= 0xfaff || r >= 0xff00 && r <= 0xffef || r >= 0x3000 && r <= 0x303f
}

// fit returns lines cut to at most n, the last ending in "…" when cut.
func (d *pdfDoc) fit(lines []string, n int, w float64) []string {
	if len(lines) <= n || n <= 0 {
		return lines
	}
	out := append([]string(nil), lines[:n]...)
	last := []rune(out[n-1])
	for len(last) > 0 && d.width(string(last)+"…") > w {
		last = last[:len(last)-1]
	}
	out[n-1] = string(last) + "…"
	return out
}

// dateTime prints a time in China Standard Time, to the minute.
func dateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(assess.CST).Format("2006-01-02 15:04")
}

// date prints a day in China Standard Time.
func date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(assess.CST).Format("2006-01-02")
}
