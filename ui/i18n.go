package ui

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/yiwangtong/yiwangtong/assets"
)

// Languages the client speaks. Chinese is the default whatever the PC's
// locale; English is chosen in 系统管理.
const (
	LangChinese = "zh"
	LangEnglish = "en"
)

// T returns the message key in the chosen language. Keys are the Chinese
// messages themselves, so the code reads as the user sees it; with args the
// translation is a fmt format.
func T(key string, args ...any) string {
	s := lang.L(key)
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// messages returns the message table of language code: for English the
// union of translations/en/*.json; for Chinese every English key mapped to
// itself, with translations/zh/*.json for the toolkit's own messages.
func messages(code string) (map[string]string, error) {
	en, err := readTable("translations/en")
	if err != nil {
		return nil, err
	}
	if code == LangEnglish {
		return en, nil
	}
	zh, err := readTable("translations/zh")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(en))
	for k := range en {
		out[k] = k
	}
	for k, v := range zh {
		out[k] = v
	}
	return out, nil
}

func readTable(dir string) (map[string]string, error) {
	entries, err := fs.ReadDir(assets.Translations, dir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := fs.ReadFile(assets.Translations, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("translations %s/%s: %w", dir, e.Name(), err)
		}
		for k, v := range m {
			if old, ok := out[k]; ok && old != v {
				return nil, fmt.Errorf("translations %s/%s: %q translated twice (%q, %q)", dir, e.Name(), k, old, v)
			}
			out[k] = v
		}
	}
	return out, nil
}

// localeTags are the locales Fyne's lang package may pick for this PC: the
// PC's own and every locale Fyne ships translations for. SetLanguage puts
// the chosen table under each of them, so whichever the toolkit matches,
// the user reads the language chosen in 系统管理.
var localeTags = []fyne.Locale{"en", "cs", "de", "el", "es", "fr", "pl", "pt", "pt-BR", "ru", "sv", "ta", "uk", "zh", "zh-Hans", "zh-CN", "zh-TW", "zh-HK"}

// SetLanguage makes T and the toolkit's dialogs speak code (LangChinese or
// LangEnglish). Widgets built before keep their text: the shell rebuilds
// its areas after a switch.
func SetLanguage(code string) error {
	if code != LangEnglish {
		code = LangChinese
	}
	table, err := messages(code)
	if err != nil {
		return err
	}
	b, err := json.Marshal(table)
	if err != nil {
		return err
	}
	tags := append([]fyne.Locale{lang.SystemLocale()}, localeTags...)
	for _, tag := range tags {
		if err := lang.AddTranslationsForLocale(b, tag); err != nil {
			return fmt.Errorf("language %s for %s: %w", code, tag, err)
		}
	}
	return nil
}
