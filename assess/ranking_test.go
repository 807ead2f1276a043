package assess_test

import (
	"fmt"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
)

func ext(survey, surveyMax, onsite, onsiteMax float64) map[assess.Source]assess.ExternalScore {
	m := map[assess.Source]assess.ExternalScore{}
	if surveyMax != 0 {
		m[assess.Survey] = assess.ExternalScore{Source: assess.Survey, Score: survey, Max: surveyMax}
	}
	if onsiteMax != 0 {
		m[assess.Onsite] = assess.ExternalScore{Source: assess.Onsite, Score: onsite, Max: onsiteMax}
	}
	return m
}

type row struct {
	unit                          string
	system, survey, onsite, total float64
	rank, outOf                   int
}

func standingsOf(ss []assess.Standing) []row {
	out := make([]row, len(ss))
	for i, s := range ss {
		out[i] = row{s.UnitID, s.System, s.Survey, s.Onsite, s.Total, s.Rank, s.OutOf}
	}
	return out
}

func TestRank(t *testing.T) {
	units := []assess.UnitScores{
		// Districts. A: 50×80/100 + 30×90/100 + 20×18/20 = 40 + 27 + 18 = 85.
		{UnitID: "a", GroupID: "district", Name: "南湖区", SystemScore: 80, SystemMax: 100, External: ext(90, 100, 18, 20)},
		// B: 45 + 24 + 16 = 85, more system points than A.
		{UnitID: "b", GroupID: "district", Name: "西城区", SystemScore: 90, SystemMax: 100, External: ext(80, 100, 16, 20)},
		// C: 50×45/50 + 30×24/30 + 20×80/100 = 45 + 24 + 16 = 85, equal to B in
		// every component: same rank, listed by name (东 U+4E1C before 西 U+897F).
		{UnitID: "c", GroupID: "district", Name: "东城区", SystemScore: 45, SystemMax: 50, External: ext(24, 30, 80, 100)},
		// D: no tasks, no external scores.
		{UnitID: "d", GroupID: "district", Name: "高新区"},
		// E: a score but a zero max counts nothing; third-party carries no weight.
		{UnitID: "e", GroupID: "district", Name: "临川县", SystemScore: 5, External: map[assess.Source]assess.ExternalScore{
			assess.ThirdParty: {Source: assess.ThirdParty, Score: 100, Max: 100},
		}},

		// Departments. P: 50 + 30 + 10 = 90.
		{UnitID: "p", GroupID: "dept", Name: "市交通运输局", SystemScore: 100, SystemMax: 100, External: ext(100, 100, 10, 20)},
		// Q: 50×200/300 = 33.333… → 33.33, 30×50/60 = 25, 20×15/20 = 15 → 73.33.
		{UnitID: "q", GroupID: "dept", Name: "市公安局", SystemScore: 200, SystemMax: 300, External: ext(50, 60, 15, 20)},
		// R: 50×100/150 → 33.33, 30×5/6 = 25, 20×75/100 = 15 → 73.33: ties Q;
		// 人 (U+4EBA) sorts before 公 (U+516C).
		{UnitID: "r", GroupID: "dept", Name: "市人社局", SystemScore: 100, SystemMax: 150, External: ext(5, 6, 75, 100)},
		// S: 50×0.5/100 = 0.25.
		{UnitID: "s", GroupID: "dept", Name: "市住建局", SystemScore: 0.5, SystemMax: 100},

		// Tie on total and system, broken by on-site points.
		// T: 25 + 10 + 20 = 55. U: 25 + 20 + 10 = 55.
		{UnitID: "u", GroupID: "x", Name: "乙", SystemScore: 10, SystemMax: 20, External: ext(20, 30, 10, 20)},
		{UnitID: "t", GroupID: "x", Name: "甲", SystemScore: 10, SystemMax: 20, External: ext(10, 30, 20, 20)},

		// Totals are compared after rounding: 16.666… and 16.667 are both 16.67.
		{UnitID: "y2", GroupID: "y", Name: "同", SystemScore: 33.334, SystemMax: 100},
		{UnitID: "y1", GroupID: "y", Name: "同", SystemScore: 1, SystemMax: 3},
	}
	got := standingsOf(assess.Rank("2026", assess.DefaultWeights, units))
	// Groups in ID order: "dept" < "district" < "x" < "y".
	want := []row{
		{"p", 50, 30, 10, 90, 1, 4},
		{"r", 33.33, 25, 15, 73.33, 2, 4},
		{"q", 33.33, 25, 15, 73.33, 2, 4},
		{"s", 0.25, 0, 0, 0.25, 4, 4},
		{"c", 45, 24, 16, 85, 1, 5},
		{"b", 45, 24, 16, 85, 1, 5},
		{"a", 40, 27, 18, 85, 3, 5},
		{"e", 0, 0, 0, 0, 4, 5}, // 临 (U+4E34) before 高 (U+9AD8)
		{"d", 0, 0, 0, 0, 4, 5},
		{"t", 25, 10, 20, 55, 1, 2},
		{"u", 25, 20, 10, 55, 2, 2},
		{"y1", 16.67, 0, 0, 16.67, 1, 2},
		{"y2", 16.67, 0, 0, 16.67, 1, 2},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Rank:\n got %v\nwant %v", got, want)
	}
}

func TestRankTieOrderByNameThenID(t *testing.T) {
	units := []assess.UnitScores{
		{UnitID: "z", GroupID: "g", Name: "乙"},
		{UnitID: "b", GroupID: "g", Name: "甲"},
		{UnitID: "a", GroupID: "g", Name: "甲"},
	}
	got := standingsOf(assess.Rank("2026", assess.DefaultWeights, units))
	order := ""
	for _, r := range got {
		order += fmt.Sprint(r.unit, r.rank)
	}
	// 甲 (U+7532) sorts after 乙 (U+4E59).
	if order != "z1a1b1" {
		t.Errorf("order %q, want z1a1b1", order)
	}
}

func TestRankWeightsAndYear(t *testing.T) {
	w := assess.Weights{System: 100}
	got := assess.Rank("2025", w, []assess.UnitScores{
		{UnitID: "a", GroupID: "g", SystemScore: 7, SystemMax: 8, External: ext(30, 30, 20, 20)},
	})
	if len(got) != 1 || got[0].Total != 87.5 || got[0].Survey != 0 || got[0].YearID != "2025" || got[0].GroupID != "g" {
		t.Errorf("system-only weights: %+v", got)
	}
}

func TestRankEmpty(t *testing.T) {
	got := assess.Rank("2026", assess.DefaultWeights, nil)
	if got == nil || len(got) != 0 {
		t.Errorf("Rank(nil) = %#v, want an empty list", got)
	}
}

// TestRankDeduction: the leads' deduction comes off the system score before
// its points are computed, and the net score never goes below 0.
func TestRankDeduction(t *testing.T) {
	w := assess.DefaultWeights
	units := []assess.UnitScores{
		{UnitID: "a", GroupID: "g", SystemScore: 80, SystemMax: 100, Deduction: 2.5},   // 50 × 77.5 / 100 = 38.75
		{UnitID: "b", GroupID: "g", SystemScore: 79, SystemMax: 100},                   // 39.5
		{UnitID: "c", GroupID: "g", SystemScore: 1.2, SystemMax: 100, Deduction: 3.05}, // net 0
	}
	got := assess.Rank("2026", w, units)
	want := map[string][2]float64{"b": {39.5, 1}, "a": {38.75, 2}, "c": {0, 3}}
	for _, st := range got {
		if st.System != want[st.UnitID][0] || float64(st.Rank) != want[st.UnitID][1] {
			t.Errorf("%s: system %v rank %d, want %v", st.UnitID, st.System, st.Rank, want[st.UnitID])
		}
	}
	if n := (assess.UnitScores{SystemScore: 8.3, Deduction: 1.1}).NetSystemScore(); n != 7.2 {
		t.Errorf("NetSystemScore = %v, want 7.2", n)
	}
}
