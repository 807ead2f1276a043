package assess

import (
	"cmp"
	"math"
	"slices"
)

// UnitScores is what a unit's total is made of in one year.
type UnitScores struct {
	UnitID  string
	GroupID string
	Name    string // for the final, stable order of tied units
	// SystemScore is the sum of the unit's scored tasks; SystemMax the sum of
	// the max scores of all tasks assigned to it (scored or not).
	SystemScore float64
	SystemMax   float64
	// Deduction is what the leads taken into account (督察线索) take off
	// SystemScore: the sum of their deductions (see Deductions).
	Deduction float64
	// External holds the latest external score of each source, if any.
	External map[Source]ExternalScore
}

// NetSystemScore is the system score after the leads' deduction, rounded to
// 2 decimals and never below 0.
func (u UnitScores) NetSystemScore() float64 {
	return max(0, round2(u.SystemScore-round2(u.Deduction)))
}

// Standing is a unit's total and rank within its group.
type Standing struct {
	YearID  string  `json:"year_id"`
	UnitID  string  `json:"unit_id"`
	GroupID string  `json:"group_id"`
	System  float64 `json:"system"` // weighted points, 0..Weights.System
	Survey  float64 `json:"survey"`
	Onsite  float64 `json:"onsite"`
	Total   float64 `json:"total"`
	Rank    int     `json:"rank"`   // 1-based within the group; tied units share a rank
	OutOf   int     `json:"out_of"` // units in the group
}

// Rank computes every unit's standing in a year.
//
// Points: each component contributes weight × (score ÷ max): the system
// evaluation from NetSystemScore ÷ SystemMax, the public-opinion survey and the
// on-site inspection from the unit's External score of that source. A missing
// component, or one whose max is 0, contributes 0. Third-party evaluation
// scores carry no weight of their own and do not count. Each component is
// rounded to 2 decimals, and the total is the sum of the rounded components,
// rounded to 2 decimals, so that printed points always add up.
//
// Ranking is within each group, highest total first. Tie-break: equal totals
// are ordered by the system component, then the on-site component, then the
// survey component (all rounded to 2 decimals), higher first. Units still
// equal share a rank (competition ranking: 1, 2, 2, 4) and are listed by Name
// and then UnitID. OutOf is the number of units in the group.
//
// The result is ordered by group ID and then by rank.
func Rank(yearID string, w Weights, units []UnitScores) []Standing {
	out := make([]Standing, 0, len(units))
	names := make(map[int]string, len(units)) // index in out → Name
	for _, u := range units {
		s := Standing{
			YearID:  yearID,
			UnitID:  u.UnitID,
			GroupID: u.GroupID,
			System:  round2(points(w.System, u.NetSystemScore(), u.SystemMax)),
			Survey:  round2(external(w.Survey, u.External, Survey)),
			Onsite:  round2(external(w.Onsite, u.External, Onsite)),
		}
		s.Total = round2(s.System + s.Survey + s.Onsite)
		names[len(out)] = u.Name
		out = append(out, s)
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		x, y := out[a], out[b]
		if c := cmp.Compare(x.GroupID, y.GroupID); c != 0 {
			return c
		}
		if c := compareScores(x, y); c != 0 {
			return c
		}
		if c := cmp.Compare(names[a], names[b]); c != 0 {
			return c
		}
		return cmp.Compare(x.UnitID, y.UnitID)
	})
	sorted := make([]Standing, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	for start := 0; start < len(sorted); {
		end := start
		for end < len(sorted) && sorted[end].GroupID == sorted[start].GroupID {
			end++
		}
		for i := start; i < end; i++ {
			sorted[i].OutOf = end - start
			if i > start && compareScores(sorted[i-1], sorted[i]) == 0 {
				sorted[i].Rank = sorted[i-1].Rank
			} else {
				sorted[i].Rank = i - start + 1
			}
		}
		start = end
	}
	return sorted
}

// compareScores orders standings best first: total, then system, on-site and
// survey points, each higher first.
func compareScores(x, y Standing) int {
	if c := cmp.Compare(y.Total, x.Total); c != 0 {
		return c
	}
	if c := cmp.Compare(y.System, x.System); c != 0 {
		return c
	}
	if c := cmp.Compare(y.Onsite, x.Onsite); c != 0 {
		return c
	}
	return cmp.Compare(y.Survey, x.Survey)
}

// points returns weight × score ÷ max, 0 when max is not positive.
func points(weight, score, max float64) float64 {
	if !(max > 0) || math.IsNaN(score) || math.IsInf(score, 0) {
		return 0
	}
	return weight * score / max
}

func external(weight float64, ext map[Source]ExternalScore, src Source) float64 {
	e, ok := ext[src]
	if !ok {
		return 0
	}
	return points(weight, e.Score, e.Max)
}

// round2 rounds to 2 decimals, halves away from zero.
func round2(f float64) float64 {
	return math.Round(f*100) / 100
}
