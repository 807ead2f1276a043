package assess

import "time"

// Calendar knows which days are working days in China: Monday to Friday,
// less statutory holidays, plus the make-up working days (调休上班) the State
// Council announces each year.
type Calendar struct{}

// ChinaCalendar returns the calendar built from the shipped holiday table.
func ChinaCalendar() *Calendar { panic("not implemented") }

// IsWorkday reports whether the day t falls on is a working day.
func (c *Calendar) IsWorkday(t time.Time) bool { panic("not implemented") }

// WorkdaysUntil counts the working days after from's day up to and including
// to's day; negative when to is before from.
func (c *Calendar) WorkdaysUntil(from, to time.Time) int { panic("not implemented") }

// AddWorkdays returns the day n working days after t's day.
func (c *Calendar) AddWorkdays(t time.Time, n int) time.Time { panic("not implemented") }
