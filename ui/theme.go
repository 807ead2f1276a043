package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/yiwangtong/yiwangtong/assets"
)

// cjkFont is the bundled WenQuanYi Micro Hei: a district PC may have no
// Chinese font installed, and Fyne's own font has no Chinese glyphs.
var cjkFont = fyne.NewStaticResource("wqy-microhei.ttf", assets.CJKFont)

// appIcon is the window and about-box icon.
var appIcon = fyne.NewStaticResource("icon.png", assets.Icon)

// appTheme is Fyne's default theme drawing every text with the bundled CJK
// font, in the government-blue primary colour of the printed reports.
type appTheme struct{ fyne.Theme }

// NewTheme returns the client's theme.
func NewTheme() fyne.Theme { return appTheme{theme.DefaultTheme()} }

// Font returns the CJK font for every style except the icon symbols.
func (t appTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Symbol {
		return t.Theme.Font(s)
	}
	return cjkFont
}

// Colors of warnings and states, shared by lists, badges and charts.
var (
	colorBlue   = color.NRGBA{R: 0x1f, G: 0x6f, B: 0xd1, A: 0xff}
	colorYellow = color.NRGBA{R: 0xe0, G: 0xa1, B: 0x00, A: 0xff}
	colorRed    = color.NRGBA{R: 0xd0, G: 0x30, B: 0x30, A: 0xff}
	colorGreen  = color.NRGBA{R: 0x2e, G: 0x9a, B: 0x4e, A: 0xff}
	colorGrey   = color.NRGBA{R: 0x90, G: 0x90, B: 0x90, A: 0xff}
)

// Color returns the light variant's colour whatever the desktop prefers —
// the printed forms' black on white — with a deeper blue as primary.
func (t appTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if n == theme.ColorNamePrimary {
		return color.NRGBA{R: 0x1a, G: 0x5f, B: 0xb4, A: 0xff}
	}
	return t.Theme.Color(n, theme.VariantLight)
}
