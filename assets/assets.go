// Package assets holds the files the programs embed: the CJK font that the
// desktop client's theme and the PDF reports draw Chinese with.
package assets

import _ "embed"

// CJKFont is WenQuanYi Micro Hei (文泉驿微米黑), a single TrueType font with
// the Chinese, Latin and digit glyphs the reports and the UI need
// (Apache-2.0, see fonts/LICENSE-Apache-2.0 and fonts/wqy-microhei.COPYRIGHT).
//
//go:embed fonts/wqy-microhei.ttf
var CJKFont []byte
