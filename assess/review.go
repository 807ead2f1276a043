package assess

import (
	"math"
	"strconv"
	"time"
)

// Decision is what a reviewer decided about a submission version.
type Decision string

// Review decisions.
const (
	Return Decision = "return" // 退回补充: more material needed
	Score  Decision = "score"  // 赋分: scored (accepted)
)

// Review is one reviewer's decision on one submission version. Reviews are
// append-only.
type Review struct {
	ID        string    `json:"id"`
	TaskID    string    `json:"task_id"`
	UnitID    string    `json:"unit_id"`
	Version   int       `json:"version"` // the submission version reviewed
	Decision  Decision  `json:"decision"`
	Score     float64   `json:"score"`
	Comment   string    `json:"comment"`
	Reviewer  string    `json:"reviewer"`
	CreatedAt time.Time `json:"created_at"`
}

// ValidateScore checks a score against an indicator's maximum: a number from
// 0 to max in steps of 0.1 at most.
func ValidateScore(score, max float64) error {
	if math.IsNaN(score) || math.IsInf(score, 0) {
		return Errorf(EInvalid, "分数不是有效数字 (score is not a number)")
	}
	if score < 0 || !(score <= max) { // also refuses a NaN max
		return Errorf(EInvalid, "分数应在 0 到 %s 分之间 (score must be between 0 and %s)", FormatScore(max), FormatScore(max))
	}
	if math.Abs(score*10-math.Round(score*10)) > 1e-9 {
		return Errorf(EInvalid, "分数最多保留一位小数 (score may have at most one decimal)")
	}
	return nil
}

// FormatScore prints a score with at most two decimals and no trailing zeros.
func FormatScore(f float64) string {
	s := []byte(strconv.FormatFloat(f, 'f', 2, 64))
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return string(s)
}
