package assess

import (
	"math"
	"strings"
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
	ID       string  `json:"id"` // yearID/unitID/source
	YearID   string  `json:"year_id"`
	UnitID   string  `json:"unit_id"`
	Source   Source  `json:"source"`
	Score    float64 `json:"score"`
	Max      float64 `json:"max"`
	Note     string  `json:"note,omitempty"`
	Document string  `json:"document,omitempty"` // SHA-256 of the source document
	// DocumentName is the source document's file name (the contractor's
	// report, the survey data file).
	DocumentName string `json:"document_name,omitempty"`
	// SampleSize is a survey's number of respondents, 0 when not given.
	SampleSize int `json:"sample_size,omitempty"`
	// Items are the item scores a contractor delivered, when the score is
	// their mean.
	Items []ItemScore `json:"items,omitempty"`
	// Version counts the saves of this unit's score of this source: 1 for
	// the first, and each re-import or correction replaces the previous
	// version with the next number (the audit log keeps both).
	Version   int       `json:"version,omitempty"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ItemScore is one item of a survey or evaluation, e.g. 政务公开满意度.
type ItemScore struct {
	Name  string  `json:"name"`
	Score float64 `json:"score"`
}

// ExternalID returns the ID of a unit's external score of one source.
func ExternalID(yearID, unitID string, src Source) string {
	return yearID + "/" + unitID + "/" + string(src)
}

// Validate checks an external score.
func (e ExternalScore) Validate() error {
	if !e.Source.Valid() {
		return Errorf(EInvalid, "未知的评估来源“%s” (unknown source)", e.Source)
	}
	switch {
	case math.IsNaN(e.Max) || e.Max <= 0:
		return Errorf(EInvalid, "满分必须大于 0 (max must be positive)")
	case math.IsNaN(e.Score) || e.Score < 0 || e.Score > e.Max:
		return Errorf(EInvalid, "分数应在 0 到 %s 之间 (score out of range)", FormatScore(e.Max))
	case e.SampleSize < 0:
		return Errorf(EInvalid, "样本量不能为负数 (sample size must not be negative)")
	case len(e.Items) > 50:
		return Errorf(EInvalid, "分项得分最多 50 项 (at most 50 item scores)")
	}
	for _, it := range e.Items {
		if strings.TrimSpace(it.Name) == "" {
			return Errorf(EInvalid, "分项名称不能为空 (item name is required)")
		}
		if math.IsNaN(it.Score) || it.Score < 0 || it.Score > e.Max {
			return Errorf(EInvalid, "分项“%s”的得分应在 0 到 %s 之间 (item score out of range)", it.Name, FormatScore(e.Max))
		}
	}
	return nil
}
