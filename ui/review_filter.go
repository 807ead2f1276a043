package ui

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
)

// queueRow is one task of the review queue, prepared once per load so that
// filtering never formats, joins or lower-cases anything.
type queueRow struct {
	TaskID    string
	UnitID    string
	Unit      string // the unit's name
	Category  string // the first segment of the indicator code
	Code      string
	Title     string
	Status    assess.Status // as the reviewer sees it, moved on by waiting changes
	Pending   bool          // a change of the task waits to be sent
	Level     assess.Level
	Reason    string    // why the task warns, "" when it does not
	Version   int       // the latest submitted version, 0 before the first
	Submitted time.Time // the server's last change: the submission while submitted
	Deadline  time.Time
	MaxScore  float64
	Score     float64
	Scored    bool

	text string // lower-case code, title and unit name, for the text search
}

// newQueueRow prepares the queue row of a task with its warning.
func newQueueRow(v localdb.TaskView, w assess.Warning) queueRow {
	r := queueRow{
		TaskID:    v.ID,
		UnitID:    v.UnitID,
		Unit:      v.UnitName,
		Category:  v.Indicator.Category(),
		Code:      v.Indicator.Code,
		Title:     v.Indicator.Title,
		Status:    v.Local,
		Pending:   len(v.Pending) > 0,
		Level:     w.Level,
		Reason:    w.Reason,
		Version:   v.Version,
		Submitted: v.UpdatedAt,
		Deadline:  v.Indicator.Deadline,
		MaxScore:  v.Indicator.MaxScore,
		Score:     v.Score,
		Scored:    v.Scored,
	}
	if r.Unit == "" {
		r.Unit = v.UnitID
	}
	r.text = queueText(r.Code, r.Title, r.Unit)
	return r
}

// queueText is the lower-case text a search term is looked for in.
func queueText(code, title, unit string) string {
	return lowerFast(code + "\x00" + title + "\x00" + unit)
}

// lowerFast is strings.ToLower with a fast path for text of ASCII and Chinese
// characters, which is what indicator titles and unit names are made of.
func lowerFast(s string) string {
	upper := false
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 0x80 && r < 0x2e80:
			return strings.ToLower(s) // other scripts may have case
		}
	}
	if !upper {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// queueStateOrder is where a state comes in the review queue: what waits
// for the reviewer first, what is done last.
func queueStateOrder(st assess.Status) int {
	switch st {
	case assess.Submitted:
		return 0
	case assess.Returned:
		return 1
	case assess.Draft:
		return 2
	case assess.NotStarted:
		return 3
	}
	return 4
}

// sortQueue puts rows in review order: submitted tasks first, the oldest
// submission first; then returned, draft, not started and scored tasks, each
// in indicator code and unit order (the order the rows came in). It sorts
// indexes and moves each row once, since rows are large.
func sortQueue(rows []queueRow) {
	idx := make([]int, len(rows))
	for i := range rows {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		a, b := &rows[i], &rows[j]
		if c := cmp.Compare(queueStateOrder(a.Status), queueStateOrder(b.Status)); c != 0 {
			return c
		}
		if a.Status == assess.Submitted {
			if c := a.Submitted.Compare(b.Submitted); c != 0 {
				return c
			}
		}
		return cmp.Compare(i, j)
	})
	sorted := make([]queueRow, len(rows))
	for k, i := range idx {
		sorted[k] = rows[i]
	}
	copy(rows, sorted)
}

// queueFilter is what the reviewer narrowed the queue to. Zero fields match
// everything.
type queueFilter struct {
	UnitID   string
	Category string
	Status   assess.Status
	// Level is the warning level asked for when ByLevel is set (NoWarning
	// then selects the tasks without a warning).
	Level   assess.Level
	ByLevel bool
	// Text is searched for, case-insensitively, in the code, title and unit
	// name; every space-separated term must occur.
	Text string
}

// filterQueue returns the indexes of the rows f selects, in the rows'
// order, reusing out's storage.
func filterQueue(rows []queueRow, f queueFilter, out []int) []int {
	terms := strings.Fields(lowerFast(f.Text))
	out = out[:0]
	for i := range rows {
		r := &rows[i]
		switch {
		case f.UnitID != "" && r.UnitID != f.UnitID,
			f.Category != "" && r.Category != f.Category,
			f.Status != "" && r.Status != f.Status,
			f.ByLevel && r.Level != f.Level,
			!containsAll(r.text, terms):
			continue
		}
		out = append(out, i)
	}
	return out
}

// containsAll reports whether every term occurs in s.
func containsAll(s string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(s, t) {
			return false
		}
	}
	return true
}
