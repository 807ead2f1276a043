package report

import (
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

// UnitProgress counts one unit's tasks by state and by warning level.
type UnitProgress struct {
	UnitID     string
	Tasks      int
	NotStarted int
	Draft      int
	Submitted  int
	Returned   int
	Scored     int
	Blue       int
	Yellow     int
	Red        int
}

// Add counts one task of the unit with its warning.
func (p *UnitProgress) Add(t assess.Task, w assess.Warning) {
	p.Tasks++
	switch {
	case t.Status == assess.Scored || t.Scored:
		p.Scored++
	case t.Status == assess.Submitted:
		p.Submitted++
	case t.Status == assess.Returned:
		p.Returned++
	case t.Status == assess.Draft:
		p.Draft++
	default:
		p.NotStarted++
	}
	switch w.Level {
	case assess.Blue:
		p.Blue++
	case assess.Yellow:
		p.Yellow++
	case assess.Red:
		p.Red++
	}
}

// Completion is the share of the unit's tasks that are scored, 0 to 1; 0
// when it has none.
func (p UnitProgress) Completion() float64 {
	if p.Tasks == 0 {
		return 0
	}
	return float64(p.Scored) / float64(p.Tasks)
}

// RectificationRow is one rectification with the unit and indicator it is
// listed under.
type RectificationRow struct {
	Unit          assess.Unit
	Indicator     assess.Indicator
	Score         float64 // the low score that opened it
	Rectification assess.Rectification
	// Warning is the rectification's warning when the document is made
	// (assess.RectWarning).
	Warning assess.Warning
}

// WarningRow is one task's warning with the unit and indicator it concerns.
type WarningRow struct {
	Unit      assess.Unit
	Indicator assess.Indicator
	Status    assess.Status
	Warning   assess.Warning
}

// AuditEntry is one event of the server's hash-chained audit log, as the
// audit download lists it.
type AuditEntry struct {
	Seq    int64
	At     time.Time
	Actor  string // the user's name or username
	Action string // e.g. "review.score"
	Target string // what the event changed, e.g. a task ID
	Detail string
	Hash   string // SHA-256 of this event
	Prev   string // SHA-256 of the event before it
}
