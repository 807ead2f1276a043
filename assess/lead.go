package assess

import (
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// LeadSource is the kind of government system a lead (督察线索) comes from.
type LeadSource string

// Lead sources.
const (
	LeadLitigation      LeadSource = "litigation"      // 行政诉讼败诉
	LeadReconsideration LeadSource = "reconsideration" // 行政复议纠错
	LeadPetition        LeadSource = "petition"        // 信访
	LeadHotline         LeadSource = "hotline"         // 12345 热线
	LeadProposal        LeadSource = "proposal"        // 人大建议、政协提案
)

// LeadSources lists every lead source in display order.
var LeadSources = []LeadSource{LeadLitigation, LeadReconsideration, LeadPetition, LeadHotline, LeadProposal}

// Label returns the source's Chinese name.
func (s LeadSource) Label() string {
	switch s {
	case LeadLitigation:
		return "行政诉讼败诉"
	case LeadReconsideration:
		return "行政复议纠错"
	case LeadPetition:
		return "信访"
	case LeadHotline:
		return "12345热线"
	case LeadProposal:
		return "人大建议政协提案"
	}
	return string(s)
}

// Valid reports whether s is a known source.
func (s LeadSource) Valid() bool {
	for _, x := range LeadSources {
		if s == x {
			return true
		}
	}
	return false
}

// ParseLeadSource reads a source by its code or its Chinese name.
func ParseLeadSource(s string) (LeadSource, bool) {
	s = strings.TrimSpace(s)
	for _, x := range LeadSources {
		if strings.EqualFold(s, string(x)) || s == x.Label() {
			return x, true
		}
	}
	switch s {
	case "行政诉讼", "诉讼":
		return LeadLitigation, true
	case "行政复议", "复议":
		return LeadReconsideration, true
	case "12345", "12345热线", "热线", "12345 热线":
		return LeadHotline, true
	case "人大建议", "政协提案", "建议提案":
		return LeadProposal, true
	}
	return "", false
}

// Lead (督察线索) is a record another government system sends about a unit:
// a lost administrative lawsuit, an overturned reconsideration, a petition, a
// 12345 complaint, a deputy's proposal. The sending system's record ID makes
// an import idempotent: ID is LeadID(Source, RecordID).
//
// A reviewer who scores the unit may take the lead into account with a
// deduction from the unit's system score.
type Lead struct {
	ID          string     `json:"id"`
	Source      LeadSource `json:"source"`
	RecordID    string     `json:"record_id"` // the sending system's own ID
	YearID      string     `json:"year_id"`
	UnitID      string     `json:"unit_id"`
	Date        time.Time  `json:"date"` // the day of the case, decision or complaint
	Summary     string     `json:"summary"`
	IndicatorID string     `json:"indicator_id,omitempty"` // the indicator it concerns, if the sender knows
	ImportedBy  string     `json:"imported_by,omitempty"`
	ImportedAt  time.Time  `json:"imported_at"`

	// The reviewer's decision.
	Considered   bool      `json:"considered,omitempty"` // 已纳入考核
	Deduction    float64   `json:"deduction,omitempty"`  // points off the unit's system score
	Comment      string    `json:"comment,omitempty"`
	ConsideredBy string    `json:"considered_by,omitempty"`
	ConsideredAt time.Time `json:"considered_at,omitzero"`
}

// LeadID returns the ID of a lead from its source and record ID.
func LeadID(source LeadSource, recordID string) string { return string(source) + ":" + recordID }

// MaxLeadSummaryRunes bounds a lead's summary.
const MaxLeadSummaryRunes = 2000

// MaxDeduction bounds one lead's deduction.
const MaxDeduction = 100

// Validate checks a lead as another system sends it (the decision fields
// aside): a known source, a plain record ID, a unit, a date and a summary.
func (l Lead) Validate() error {
	switch {
	case !l.Source.Valid():
		return Errorf(EInvalid, "线索来源“%s”不正确，应为 litigation、reconsideration、petition、hotline 或 proposal (unknown lead source)", l.Source)
	case strings.TrimSpace(l.RecordID) == "" || len(l.RecordID) > 128 || !utf8.ValidString(l.RecordID) ||
		strings.ContainsFunc(l.RecordID, unicode.IsControl):
		return Errorf(EInvalid, "线索缺少来源系统的记录编号，或编号超过 128 字节 (record_id is required, at most 128 bytes)")
	case strings.TrimSpace(l.UnitID) == "":
		return Errorf(EInvalid, "线索 %s 没有填写单位 (unit is required)", l.RecordID)
	case l.Date.IsZero():
		return Errorf(EInvalid, "线索 %s 没有填写日期 (date is required)", l.RecordID)
	case strings.TrimSpace(l.Summary) == "":
		return Errorf(EInvalid, "线索 %s 没有填写摘要 (summary is required)", l.RecordID)
	case !utf8.ValidString(l.Summary) || strings.ContainsRune(l.Summary, 0):
		return Errorf(EInvalid, "线索 %s 的摘要含有无效字符 (summary contains invalid characters)", l.RecordID)
	case utf8.RuneCountInString(l.Summary) > MaxLeadSummaryRunes:
		return Errorf(EInvalid, "线索 %s 的摘要不能超过 %d 字 (summary too long)", l.RecordID, MaxLeadSummaryRunes)
	}
	return nil
}

// ValidateDeduction checks a deduction for taking a lead into account.
func ValidateDeduction(d float64) error {
	if math.IsNaN(d) || d < 0 || d > MaxDeduction {
		return Errorf(EInvalid, "扣分应在 0 到 %d 分之间 (deduction must be 0..%d)", MaxDeduction, MaxDeduction)
	}
	if math.Abs(d*100-math.Round(d*100)) > 1e-6 {
		return Errorf(EInvalid, "扣分最多保留两位小数 (at most 2 decimals)")
	}
	return nil
}

// SameImport reports whether two leads carry the same imported content, so
// that importing a lead again changes nothing.
func (l Lead) SameImport(o Lead) bool {
	return l.Source == o.Source && l.RecordID == o.RecordID && l.YearID == o.YearID && l.UnitID == o.UnitID &&
		DayOf(l.Date).Equal(DayOf(o.Date)) && l.Summary == o.Summary && l.IndicatorID == o.IndicatorID
}

// Deductions sums the deductions of the leads taken into account.
func Deductions(leads []Lead) float64 {
	var sum float64
	for _, l := range leads {
		if l.Considered {
			sum += l.Deduction
		}
	}
	return round2(sum)
}
