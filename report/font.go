package report

import (
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/yiwangtong/yiwangtong/assets"
)

// baseFont is the bundled font cut down to the common character set, made
// once per process (see the package comment).
var baseFont struct {
	once  sync.Once
	data  []byte
	runes map[rune]bool
	set   string // the runes of the cut, ascending
}

// commonFont returns the cut font and the set of runes it was cut to.
func commonFont() ([]byte, map[rune]bool) {
	baseFont.once.Do(func() {
		rs := commonRunes()
		baseFont.runes = make(map[rune]bool, len(rs))
		for _, r := range rs {
			baseFont.runes[r] = true
		}
		baseFont.set = string(rs)
		baseFont.data = fpdf.UTF8CutFont(assets.CJKFont, baseFont.set)
	})
	return baseFont.data, baseFont.runes
}

// extendedFont returns the bundled font cut to the common set plus extra:
// for the rare document that draws characters outside GB 2312.
func extendedFont(extra map[rune]bool) []byte {
	commonFont()
	var b strings.Builder
	b.WriteString(baseFont.set)
	keys := make([]rune, 0, len(extra))
	for r := range extra {
		keys = append(keys, r)
	}
	slices.Sort(keys)
	for _, r := range keys {
		b.WriteRune(r)
	}
	return fpdf.UTF8CutFont(assets.CJKFont, b.String())
}

// commonRunes lists printable ASCII, Latin-1, general and CJK punctuation,
// full-width forms, a few symbols the reports draw, and every character of
// GB 2312 (decoded from its two-byte table), ascending and without
// duplicates.
func commonRunes() []rune {
	seen := map[rune]bool{}
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			seen[r] = true
		}
	}
	add(0x20, 0x7e)     // ASCII
	add(0xa0, 0xff)     // Latin-1
	add(0x2000, 0x206f) // general punctuation: — ‘ ’ “ ” …
	add(0x2190, 0x2199) // arrows
	add(0x2460, 0x2473) // ①…⑳
	add(0x25a0, 0x25ff) // geometric shapes: ■ □ ● ○ △
	add(0x3000, 0x303f) // CJK punctuation: 、 。 《 》 【 】
	add(0xff01, 0xff5e) // full-width forms
	var src []byte
	for hi := 0xa1; hi <= 0xf7; hi++ {
		for lo := 0xa1; lo <= 0xfe; lo++ {
			src = append(src, byte(hi), byte(lo))
		}
	}
	if out, err := simplifiedchinese.GBK.NewDecoder().Bytes(src); err == nil {
		for _, r := range string(out) {
			if r != unicode.ReplacementChar && !unicode.Is(unicode.Co, r) {
				seen[r] = true
			}
		}
	}
	rs := make([]rune, 0, len(seen))
	for r := range seen {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	return rs
}
