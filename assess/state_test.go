package assess_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/yiwangtong/yiwangtong/assess"
)

// hasChinese reports whether s contains a Han character and an English
// translation in parentheses, as every user-facing message must.
func hasChinese(s string) bool {
	han := strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
	return han && strings.Contains(s, "(") && strings.Contains(s, ")")
}

func TestTaskTransitionsEveryPair(t *testing.T) {
	allowed := map[[2]assess.Status]bool{
		{assess.NotStarted, assess.Draft}:     true,
		{assess.NotStarted, assess.Submitted}: true,
		{assess.Draft, assess.Submitted}:      true,
		{assess.Submitted, assess.Returned}:   true,
		{assess.Submitted, assess.Scored}:     true,
		{assess.Returned, assess.Submitted}:   true,
	}
	states := append(append([]assess.Status{}, assess.Statuses...), "bogus")
	for _, from := range states {
		for _, to := range states {
			want := allowed[[2]assess.Status{from, to}]
			if got := from.CanBecome(to); got != want {
				t.Errorf("%s → %s: CanBecome = %v, want %v", from, to, got, want)
			}
			task := assess.Task{ID: "x", Status: from}
			next, err := task.Transition(to)
			if want {
				if err != nil || next.Status != to {
					t.Errorf("%s → %s: Transition = %v, %v", from, to, next.Status, err)
				}
				continue
			}
			if assess.ErrorCode(err) != assess.EConflict {
				t.Errorf("%s → %s: error %v, want %s", from, to, err, assess.EConflict)
			}
			if !hasChinese(assess.ErrorMessage(err)) {
				t.Errorf("%s → %s: message %q is not Chinese with English", from, to, assess.ErrorMessage(err))
			}
			if next.Status != from {
				t.Errorf("%s → %s: refused transition changed the task to %s", from, to, next.Status)
			}
		}
	}
}

func TestTaskTransitionMessages(t *testing.T) {
	tests := []struct {
		from, to assess.Status
		want     string
	}{
		{assess.Scored, assess.Submitted, "该指标已赋分，不能再提交"},
		{assess.Scored, assess.Scored, "该指标已赋分，不能再赋分"},
		{assess.Submitted, assess.Submitted, "不能重复提交"},
		{assess.Draft, assess.Scored, "没有待审核的提交"},
		{assess.Returned, assess.Returned, "没有待审核的提交"},
		{assess.Submitted, assess.Draft, "不能改为“草稿”"},
	}
	for _, tt := range tests {
		_, err := assess.Task{Status: tt.from}.Transition(tt.to)
		if !strings.Contains(assess.ErrorMessage(err), tt.want) {
			t.Errorf("%s → %s: %v, want %q", tt.from, tt.to, err, tt.want)
		}
	}
}

func TestStatusLabelsAndEditable(t *testing.T) {
	labels := map[assess.Status]string{
		assess.NotStarted: "未开始", assess.Draft: "草稿", assess.Submitted: "已提交",
		assess.Returned: "退回补充", assess.Scored: "已赋分",
	}
	editable := map[assess.Status]bool{assess.NotStarted: true, assess.Draft: true, assess.Returned: true}
	for _, s := range assess.Statuses {
		if s.Label() != labels[s] {
			t.Errorf("%s.Label() = %q, want %q", s, s.Label(), labels[s])
		}
		if s.Editable() != editable[s] {
			t.Errorf("%s.Editable() = %v", s, s.Editable())
		}
	}
	if len(assess.Statuses) != len(labels) {
		t.Errorf("Statuses has %d states, want %d", len(assess.Statuses), len(labels))
	}
}

func TestYearStatesEveryPair(t *testing.T) {
	allowed := map[[2]assess.YearState]bool{
		{assess.YearDraft, assess.YearPublished}:  true,
		{assess.YearPublished, assess.YearClosed}: true,
	}
	states := []assess.YearState{assess.YearDraft, assess.YearPublished, assess.YearClosed, "bogus"}
	for _, from := range states {
		for _, to := range states {
			if got, want := from.CanBecome(to), allowed[[2]assess.YearState{from, to}]; got != want {
				t.Errorf("year %s → %s: CanBecome = %v, want %v", from, to, got, want)
			}
		}
	}
}

func TestYearCheckWritable(t *testing.T) {
	for _, s := range []assess.YearState{assess.YearDraft, assess.YearPublished, assess.YearClosed} {
		err := assess.Year{ID: "2026", Name: "2026年度", State: s}.CheckWritable()
		if s == assess.YearClosed {
			if assess.ErrorCode(err) != assess.EClosed || !hasChinese(assess.ErrorMessage(err)) {
				t.Errorf("closed year: %v", err)
			}
		} else if err != nil {
			t.Errorf("%s year: %v", s, err)
		}
	}
}

func TestRectStatesEveryPair(t *testing.T) {
	allowed := map[[2]assess.RectState]bool{
		{assess.RectOpen, assess.RectResponded}:   true,
		{assess.RectResponded, assess.RectClosed}: true,
		{assess.RectResponded, assess.RectOpen}:   true,
	}
	states := []assess.RectState{assess.RectOpen, assess.RectResponded, assess.RectClosed, "bogus"}
	for _, from := range states {
		for _, to := range states {
			want := allowed[[2]assess.RectState{from, to}]
			if got := from.CanBecome(to); got != want {
				t.Errorf("rectification %s → %s: CanBecome = %v, want %v", from, to, got, want)
			}
			r, err := assess.Rectification{State: from}.Transition(to)
			switch {
			case want && (err != nil || r.State != to):
				t.Errorf("rectification %s → %s: %v, %v", from, to, r.State, err)
			case !want && (assess.ErrorCode(err) != assess.EConflict || !hasChinese(assess.ErrorMessage(err)) || r.State != from):
				t.Errorf("rectification %s → %s: %v, %v", from, to, r.State, err)
			}
		}
	}
}

func TestWeightsValidate(t *testing.T) {
	tests := []struct {
		w  assess.Weights
		ok bool
	}{
		{assess.DefaultWeights, true},
		{assess.Weights{System: 100}, true},
		{assess.Weights{}, false},
		{assess.Weights{System: 60, Survey: -10, Onsite: 50}, false},
	}
	for _, tt := range tests {
		if err := tt.w.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v: %v", tt.w, err)
		}
	}
	if assess.DefaultWeights.Sum() != 100 {
		t.Errorf("default weights add up to %v", assess.DefaultWeights.Sum())
	}
}
