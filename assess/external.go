package assess

import (
	"math"
	"time"
)

// Source is where an external score comes from.
type Source string

// External score sources.
const (
	ThirdParty Source = "third_party" // 第三方评估
	Survey     Source = "survey"      // 民意调查
	Onsite     Source = "onsite"      // 现场督察
)

// Label returns the source's Chinese name.
func (s Source) Label() string {
	switch s {
	case ThirdParty:
		return "第三方评估"
	case Survey:
		return "民意调查"
	case Onsite:
		return "现场督察"
	}
	return string(s)
}

// Valid reports whether s is a known source.
func (s Source) Valid() bool { return s == ThirdParty || s == Survey || s == Onsite }

// ExternalScore is a third-party, survey or on-site result for one unit in
// one year, on a scale of 0..Max.
type ExternalScore struct {
	ID        string    `json:"id"` // yearID/unitID/source
	YearID    string    `json:"year_id"`
	UnitID    string    `json:"unit_id"`
	Source    Source    `json:"source"`
	Score     float64   `json:"score"`
	Max       float64   `json:"max"`
	Note      string    `json:"note,omitempty"`
	Document  string    `json:"document,omitempty"` // SHA-256 of the source document
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks an external score.
func (e ExternalScore) Validate() error {
	if !e.Source.Valid() {
		return Errorf(EInvalid, "未知的评估来源“%s” (unknown source)", e.Source)
	}
	if math.IsNaN(e.Max) || e.Max <= 0 {
		return Errorf(EInvalid, "满分必须大于 0 (max must be positive)")
	}
	if math.IsNaN(e.Score) || e.Score < 0 || e.Score > e.Max {
		return Errorf(EInvalid, "分数应在 0 到 %s 之间 (score out of range)", FormatScore(e.Max))
	}
	return nil
}
