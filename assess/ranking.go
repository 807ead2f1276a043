package assess

// UnitScores is what a unit's total is made of in one year.
type UnitScores struct {
	UnitID  string
	GroupID string
	Name    string // for the final, stable order of tied units
	// SystemScore is the sum of the unit's scored tasks; SystemMax the sum of
	// the max scores of all tasks assigned to it (scored or not).
	SystemScore float64
	SystemMax   float64
	// External holds the latest external score of each source, if any.
	External map[Source]ExternalScore
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

// Rank computes every unit's standing: total = Σ weight × (score ÷ max) per
// component, ranked within each group. See the implementation for the
// tie-break rule.
func Rank(yearID string, w Weights, units []UnitScores) []Standing {
	panic("not implemented")
}
