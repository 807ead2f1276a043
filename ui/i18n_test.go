package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/image/font/sfnt"

	"github.com/yiwangtong/yiwangtong/assets"
)

// uiMessages returns every T("…") literal of the package's non-test files
// with where it is, and reports calls of T with anything but a literal.
func uiMessages(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "T" || len(call.Args) == 0 {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: T called with a non-literal key; the translation check cannot see it", fset.Position(call.Pos()))
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			keys[s] = fset.Position(call.Pos()).String()
			return true
		})
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d messages: the scan is broken", len(keys))
	}
	return keys
}

func TestEveryMessageIsTranslated(t *testing.T) {
	en, err := messages(LangEnglish)
	if err != nil {
		t.Fatal(err)
	}
	for key, pos := range uiMessages(t) {
		v, ok := en[key]
		if !ok {
			t.Errorf("%s: %q has no English translation in assets/translations/en", pos, key)
			continue
		}
		if countVerbs(key) != countVerbs(v) {
			t.Errorf("%s: %q and its translation %q take different arguments", pos, key, v)
		}
	}
	for _, sp := range areaSpecs {
		if _, ok := en[sp.title]; !ok {
			t.Errorf("area title %q has no English translation", sp.title)
		}
	}
}

func countVerbs(s string) int {
	return strings.Count(s, "%") - 2*strings.Count(s, "%%")
}

// TestFontCoversEveryMessage proves there are no box glyphs: the bundled
// font has a glyph for every character of every message in both languages.
func TestFontCoversEveryMessage(t *testing.T) {
	f, err := sfnt.Parse(assets.CJKFont)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	missing := map[rune]string{}
	check := func(s string) {
		for _, r := range s {
			if r < ' ' {
				continue
			}
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				missing[r] = s
			}
		}
	}
	for _, code := range []string{LangChinese, LangEnglish} {
		table, err := messages(code)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range table {
			check(k)
			check(v)
		}
	}
	for r, s := range missing {
		t.Errorf("the bundled font has no glyph for %q (U+%04X) in %q", r, r, s)
	}
}

func TestSwitchLanguage(t *testing.T) {
	t.Cleanup(func() { SetLanguage(LangChinese) })
	if err := SetLanguage(LangEnglish); err != nil {
		t.Fatal(err)
	}
	if got := T("首页"); got != "Home" {
		t.Fatalf("English 首页 = %q", got)
	}
	if got := T("待发送 %d 项", 3); got != "3 changes waiting" {
		t.Fatalf("English with an argument = %q", got)
	}
	if err := SetLanguage(LangChinese); err != nil {
		t.Fatal(err)
	}
	if got := T("首页"); got != "首页" {
		t.Fatalf("Chinese 首页 = %q", got)
	}
	if got := T("Cancel"); got != "取消" {
		t.Fatalf("the toolkit's Cancel in Chinese = %q", got)
	}
}
