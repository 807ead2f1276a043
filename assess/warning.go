package assess

import "time"

// Level is a warning level (预警). Computed, never stored.
type Level int

// Warning levels, from none to the most urgent.
const (
	NoWarning Level = iota
	Blue            // 蓝色预警: deadline within N working days
	Yellow          // 黄色预警: returned for more material, or behind a milestone
	Red             // 红色预警: overdue, low score, or rectification overdue
)

// Warning is a level and the Chinese reason for it.
type Warning struct {
	Level  Level  `json:"level"`
	Reason string `json:"reason"`
}

// TaskWarning computes a task's warning at now. rect is the task's
// rectification, nil when none; warnDays is the year's blue-warning window in
// working days.
func TaskWarning(t Task, in Indicator, rect *Rectification, now time.Time, cal *Calendar, warnDays int) Warning {
	panic("not implemented")
}
