// Package assets holds the files the programs embed: the CJK font that the
// desktop client's theme and the PDF reports draw Chinese with, the
// application icon and the desktop client's translations.
package assets

import (
	"embed"
	_ "embed"
)

// CJKFont is WenQuanYi Micro Hei (文泉驿微米黑), a single TrueType font with
// the Chinese, Latin and digit glyphs the reports and the UI need
// (Apache-2.0, see fonts/LICENSE-Apache-2.0 and fonts/wqy-microhei.COPYRIGHT).
//
//go:embed fonts/wqy-microhei.ttf
var CJKFont []byte

// Icon is the application icon (PNG).
//
//go:embed icon.png
var Icon []byte

// Translations holds the desktop client's messages: translations/en/*.json
// map each Chinese message to its English translation, one file per
// function area; translations/zh/*.json give the Chinese of the toolkit's
// own messages (dialog buttons, file dialogs).
//
//go:embed translations
var Translations embed.FS
