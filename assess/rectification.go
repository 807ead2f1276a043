package assess

import "time"

// RectState is where a rectification (整改) stands.
type RectState string

// Rectification states: opened by a low score, answered by the unit,
// verified and closed by the reviewer (or sent back to the unit).
const (
	RectOpen      RectState = "open"      // 待整改
	RectResponded RectState = "responded" // 已反馈，待核验
	RectClosed    RectState = "closed"    // 已核验销号
)

// Label returns the state's Chinese name.
func (s RectState) Label() string {
	switch s {
	case RectOpen:
		return "待整改"
	case RectResponded:
		return "待核验"
	case RectClosed:
		return "已销号"
	}
	return string(s)
}

var nextRect = map[RectState][]RectState{
	RectOpen:      {RectResponded},
	RectResponded: {RectClosed, RectOpen},
	RectClosed:    {},
}

// CanBecome reports whether a rectification in state s may move to to.
func (s RectState) CanBecome(to RectState) bool {
	for _, n := range nextRect[s] {
		if n == to {
			return true
		}
	}
	return false
}

// Rectification is the time-limited correction a low score demands: the task
// becomes a key inspection item (重点督察事项).
type Rectification struct {
	ID           string       `json:"id"` // the task ID: one per task
	TaskID       string       `json:"task_id"`
	UnitID       string       `json:"unit_id"`
	State        RectState    `json:"state"`
	Demand       string       `json:"demand"`
	Deadline     time.Time    `json:"deadline"`
	Response     string       `json:"response,omitempty"`
	Attachments  []Attachment `json:"attachments,omitempty"`
	RespondedAt  time.Time    `json:"responded_at,omitzero"`
	Verification string       `json:"verification,omitempty"`
	ClosedAt     time.Time    `json:"closed_at,omitzero"`
	OpenedAt     time.Time    `json:"opened_at"`
}

// Transition returns r moved to state to, or an EConflict error.
func (r Rectification) Transition(to RectState) (Rectification, error) {
	if !r.State.CanBecome(to) {
		return r, Errorf(EConflict, "整改事项当前状态为“%s”，不能改为“%s” (rectification cannot move from %s to %s)", r.State.Label(), to.Label(), r.State, to)
	}
	r.State = to
	return r, nil
}

// Overdue reports whether the rectification still waits for the unit's
// response (待整改, including one sent back after verification) after its
// deadline; the deadline day itself is allowed. A rectification the unit has
// responded to waits for the reviewer and is not overdue.
func (r Rectification) Overdue(now time.Time) bool {
	return r.State == RectOpen && !r.Deadline.IsZero() && DayOf(now).After(DayOf(r.Deadline))
}
