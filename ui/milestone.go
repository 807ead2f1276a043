package ui

import (
	"image/color"

	"github.com/yiwangtong/yiwangtong/assess"
)

// milestoneLabel names a milestone state in the chosen language.
func milestoneLabel(st assess.MilestoneState) string {
	switch st {
	case assess.MilestonePending:
		return T("未到期")
	case assess.MilestoneMet:
		return T("按时完成")
	case assess.MilestoneLate:
		return T("逾期完成")
	case assess.MilestoneMissed:
		return T("逾期未完成")
	}
	return string(st)
}

// milestoneColor is the colour of a milestone state.
func milestoneColor(st assess.MilestoneState) color.Color {
	switch st {
	case assess.MilestoneMet:
		return colorGreen
	case assess.MilestoneLate:
		return colorYellow
	case assess.MilestoneMissed:
		return colorRed
	}
	return colorGrey
}
