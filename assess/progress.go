package assess

import (
	"slices"
	"time"
)

// ProgressItem is one thing a unit has to do in a year: a task (done once it
// was first submitted) or one milestone of a task (done once it was filed).
type ProgressItem struct {
	UnitID    string
	Category  string // the indicator's top-level code
	Milestone bool
	DoneAt    time.Time // when it was done; zero while it is not
}

// Progress is how many of a set of items are done.
type Progress struct {
	Done  int `json:"done"`
	Total int `json:"total"`
}

// Share returns the done share, 0..1; 0 when there is nothing to do.
func (p Progress) Share() float64 {
	if p.Total == 0 {
		return 0
	}
	return float64(p.Done) / float64(p.Total)
}

// Add returns p with one more item, done or not.
func (p Progress) Add(done bool) Progress {
	p.Total++
	if done {
		p.Done++
	}
	return p
}

// ProgressAt counts the items done by the end of at's day (CST).
func ProgressAt(items []ProgressItem, at time.Time) Progress {
	end := DayOf(at).AddDate(0, 0, 1)
	p := Progress{Total: len(items)}
	for _, it := range items {
		if !it.DoneAt.IsZero() && it.DoneAt.Before(end) {
			p.Done++
		}
	}
	return p
}

// Trend returns the progress of items at the end of each of the days
// ending with now's day, oldest first: Trend(items, now, 30)[29] is today.
func Trend(items []ProgressItem, now time.Time, days int) []Progress {
	if days <= 0 {
		return nil
	}
	done := make([]time.Time, 0, len(items))
	for _, it := range items {
		if !it.DoneAt.IsZero() {
			done = append(done, it.DoneAt)
		}
	}
	slices.SortFunc(done, func(a, b time.Time) int { return a.Compare(b) })
	out := make([]Progress, days)
	first := DayOf(now).AddDate(0, 0, -(days - 1))
	i := 0
	for d := range days {
		end := first.AddDate(0, 0, d+1)
		for i < len(done) && done[i].Before(end) {
			i++
		}
		out[d] = Progress{Done: i, Total: len(items)}
	}
	return out
}
