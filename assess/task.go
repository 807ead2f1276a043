package assess

import "time"

// Status is where a task stands in its life.
type Status string

// Task states.
const (
	NotStarted Status = "not_started" // 未开始
	Draft      Status = "draft"       // 草稿
	Submitted  Status = "submitted"   // 已提交
	Returned   Status = "returned"    // 退回补充
	Scored     Status = "scored"      // 已赋分
)

// Statuses lists every task state in life order.
var Statuses = []Status{NotStarted, Draft, Submitted, Returned, Scored}

// Label returns the state's Chinese name.
func (s Status) Label() string {
	switch s {
	case NotStarted:
		return "未开始"
	case Draft:
		return "草稿"
	case Submitted:
		return "已提交"
	case Returned:
		return "退回补充"
	case Scored:
		return "已赋分"
	}
	return string(s)
}

// next is the task state machine: the states each state may move to.
// Editing a draft while returned keeps the task returned, so the warning stays
// until the unit resubmits.
var next = map[Status][]Status{
	NotStarted: {Draft, Submitted},
	Draft:      {Submitted},
	Submitted:  {Returned, Scored},
	Returned:   {Submitted},
	Scored:     {},
}

// CanBecome reports whether a task in state s may move to state to.
func (s Status) CanBecome(to Status) bool {
	for _, n := range next[s] {
		if n == to {
			return true
		}
	}
	return false
}

// Editable reports whether the unit may still change its draft.
func (s Status) Editable() bool { return s == NotStarted || s == Draft || s == Returned }

// Task is one indicator assigned to one unit.
type Task struct {
	ID          string  `json:"id"` // yearID/indicatorID/unitID
	YearID      string  `json:"year_id"`
	IndicatorID string  `json:"indicator_id"`
	UnitID      string  `json:"unit_id"`
	Status      Status  `json:"status"`
	Version     int     `json:"version"` // latest submitted version, 0 before the first
	Score       float64 `json:"score"`
	Scored      bool    `json:"scored"`
	// ReviewVersion is the submission version the last review was made on.
	ReviewVersion int       `json:"review_version,omitempty"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// TaskID returns the ID of the task of indicator in unit.
func TaskID(indicatorID, unitID string) string { return indicatorID + "@" + unitID }

// Transition returns the task moved to state to, or an EConflict error with a
// Chinese reason when the state machine forbids it.
func (t Task) Transition(to Status) (Task, error) {
	if !t.Status.CanBecome(to) {
		return t, transitionError(t.Status, to)
	}
	t.Status = to
	return t, nil
}

func transitionError(from, to Status) error {
	switch {
	case from == Scored:
		return Errorf(EConflict, "该指标已赋分，不能再%s (the task is already scored)", verb(to))
	case from == Submitted && to == Submitted:
		return Errorf(EConflict, "该指标已提交，正在等待审核，不能重复提交 (already submitted, awaiting review)")
	case to == Returned || to == Scored:
		return Errorf(EConflict, "该指标当前状态为“%s”，没有待审核的提交 (nothing submitted to review)", from.Label())
	}
	return Errorf(EConflict, "该指标当前状态为“%s”，不能改为“%s” (cannot move from %s to %s)", from.Label(), to.Label(), from, to)
}

func verb(to Status) string {
	switch to {
	case Submitted:
		return "提交"
	case Returned:
		return "退回"
	case Scored:
		return "赋分"
	}
	return "修改"
}
