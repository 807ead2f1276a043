package report

import (
	"fmt"

	"rsc.io/qr"
)

// QR codes are made with rsc.io/qr: a small, dependency-free encoder with a
// tagged release, whose Code exposes the module grid, so the modules are
// drawn as PDF rectangles and no image codec is needed.

// qrQuiet is the quiet zone around a QR code, in modules.
const qrQuiet = 4

// qrCode draws text as a QR code (error correction level M) whose outer
// edge, quiet zone included, is a square of side size at (x, y). Each row's
// runs of dark modules are drawn as one rectangle.
func (d *pdfDoc) qrCode(x, y, size float64, text string) error {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return fmt.Errorf("encode QR code: %w", err)
	}
	n := code.Size
	m := size / float64(n+2*qrQuiet)
	d.f.SetFillColor(0, 0, 0)
	for row := 0; row < n; row++ {
		for col := 0; col < n; {
			if !code.Black(col, row) {
				col++
				continue
			}
			start := col
			for col < n && code.Black(col, row) {
				col++
			}
			// A hair of overlap hides the seams some viewers show
			// between adjacent rectangles.
			d.f.Rect(x+float64(qrQuiet+start)*m, y+float64(qrQuiet+row)*m, float64(col-start)*m+0.01, m+0.01, "F")
		}
	}
	d.f.SetFillColor(255, 255, 255)
	d.trace("qr %.1f,%.1f %.1fmm %d modules %q", x, y, size, n, text)
	return nil
}
