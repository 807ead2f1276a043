package assess

// YearState is the life of an assessment year.
type YearState string

// Assessment year states: draft → published → closed.
const (
	YearDraft     YearState = "draft"
	YearPublished YearState = "published"
	YearClosed    YearState = "closed"
)

// Label returns the state's Chinese name.
func (s YearState) Label() string {
	switch s {
	case YearDraft:
		return "草稿"
	case YearPublished:
		return "已发布"
	case YearClosed:
		return "已关闭"
	}
	return string(s)
}

var nextYearState = map[YearState][]YearState{
	YearDraft:     {YearPublished},
	YearPublished: {YearClosed},
	YearClosed:    {},
}

// CanBecome reports whether a year in state s may move to state to.
func (s YearState) CanBecome(to YearState) bool {
	for _, n := range nextYearState[s] {
		if n == to {
			return true
		}
	}
	return false
}

// Weights are the points each component contributes to a unit's total
// (Suzhou's model: system evaluation 50, public-opinion survey 30, on-site
// inspection 20).
type Weights struct {
	System float64 `json:"system"`
	Survey float64 `json:"survey"`
	Onsite float64 `json:"onsite"`
}

// DefaultWeights is the Suzhou model, 50 / 30 / 20.
var DefaultWeights = Weights{System: 50, Survey: 30, Onsite: 20}

// Sum returns the total points of the weights.
func (w Weights) Sum() float64 { return w.System + w.Survey + w.Onsite }

// Validate checks that weights are non-negative and not all zero.
func (w Weights) Validate() error {
	if w.System < 0 || w.Survey < 0 || w.Onsite < 0 {
		return Errorf(EInvalid, "权重不能为负数 (weights must not be negative)")
	}
	if w.Sum() <= 0 {
		return Errorf(EInvalid, "权重之和必须大于 0 (weights must add up to more than 0)")
	}
	return nil
}

// Year (考核年度) is one assessment year. A closed year is frozen.
type Year struct {
	ID      string    `json:"id"` // e.g. "2026"
	Name    string    `json:"name"`
	State   YearState `json:"state"`
	Weights Weights   `json:"weights"`
	// RectifyDays is how many working days a rectification gets when a low
	// score opens one.
	RectifyDays int `json:"rectify_days"`
	// WarnDays is how many working days before a deadline the blue warning
	// starts.
	WarnDays int `json:"warn_days"`
}

// CheckWritable returns an EClosed error when the year is closed.
func (y Year) CheckWritable() error {
	if y.State == YearClosed {
		return Errorf(EClosed, "%s考核已关闭，数据已冻结，不能再修改 (the assessment year is closed)", y.Name)
	}
	return nil
}
