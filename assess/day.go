package assess

import "time"

// CST is China Standard Time. A fixed zone, so that no time-zone database is
// needed on the PC.
var CST = time.FixedZone("CST", 8*3600)

// DayOf returns midnight (China Standard Time) of the day t falls on.
func DayOf(t time.Time) time.Time {
	t = t.In(CST)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, CST)
}

// Date returns midnight (China Standard Time) of the given day.
func Date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, CST)
}
