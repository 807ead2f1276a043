package assess

import (
	"strings"
	"time"
)

// Indicator (指标) is a node of the year's indicator tree: a category, an
// indicator, or a scoring point. Only leaves are assigned to units as tasks.
type Indicator struct {
	ID          string    `json:"id"`
	YearID      string    `json:"year_id"`
	ParentID    string    `json:"parent_id,omitempty"`
	Code        string    `json:"code"` // e.g. "3.2.1"
	Title       string    `json:"title"`
	Content     string    `json:"content,omitempty"`
	Standard    string    `json:"standard,omitempty"`     // 达标标准
	Evidence    []string  `json:"evidence,omitempty"`     // 需要查验的资料, one slot each
	MaxScore    float64   `json:"max_score"`              // points for a leaf; a category's sum
	ScoringRule string    `json:"scoring_rule,omitempty"` // 评分细则
	Deadline    time.Time `json:"deadline,omitzero"`
	// LowScore is the threshold below which a score opens a rectification;
	// zero means 60% of MaxScore.
	LowScore float64  `json:"low_score,omitempty"`
	Units    []string `json:"units,omitempty"`    // assigned unit IDs
	KeyTask  bool     `json:"key_task,omitempty"` // 重点任务
	// Milestones are the indicator's time nodes (时间节点), in due order;
	// a leaf only.
	Milestones []Milestone `json:"milestones,omitempty"`
}

// Threshold returns the score below which a task becomes a key inspection
// item.
func (in Indicator) Threshold() float64 {
	if in.LowScore > 0 {
		return in.LowScore
	}
	return in.MaxScore * 0.6
}

// Category returns the first segment of the code ("3" for "3.2.1").
func (in Indicator) Category() string {
	c, _, _ := strings.Cut(in.Code, ".")
	return c
}

// Validate checks one indicator on its own.
func (in Indicator) Validate() error {
	switch {
	case strings.TrimSpace(in.Code) == "":
		return Errorf(EInvalid, "指标编号不能为空 (indicator code is required)")
	case strings.TrimSpace(in.Title) == "":
		return Errorf(EInvalid, "指标 %s 的名称不能为空 (indicator title is required)", in.Code)
	case in.MaxScore < 0 || in.MaxScore > 1000:
		return Errorf(EInvalid, "指标 %s 的分值应在 0 到 1000 之间 (max score out of range)", in.Code)
	case in.LowScore < 0 || in.LowScore > in.MaxScore:
		return Errorf(EInvalid, "指标 %s 的低分线应在 0 到满分之间 (low-score threshold out of range)", in.Code)
	}
	return validateMilestones(in)
}
