package assess_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
)

func TestErrorCodeAndMessage(t *testing.T) {
	e := assess.Errorf(assess.EConflict, "该指标已赋分 (already scored %d)", 1)
	wrapped := fmt.Errorf("push: %w", e)
	tests := []struct {
		err       error
		code, msg string
	}{
		{nil, "", ""},
		{e, assess.EConflict, "该指标已赋分 (already scored 1)"},
		{wrapped, assess.EConflict, "该指标已赋分 (already scored 1)"},
		{errors.New("disk full"), assess.EInternal, "系统内部错误，请稍后重试或联系管理员 (internal error)"},
	}
	for _, tt := range tests {
		if got := assess.ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.code)
		}
		if got := assess.ErrorMessage(tt.err); got != tt.msg {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tt.err, got, tt.msg)
		}
	}
	if e.Error() != "conflict: 该指标已赋分 (already scored 1)" {
		t.Errorf("Error() = %q", e.Error())
	}
}

func TestIndicatorThresholdAndValidate(t *testing.T) {
	in := assess.Indicator{Code: "3.2.1", Title: "t", MaxScore: 2.5}
	if in.Threshold() != 1.5 || in.Category() != "3" {
		t.Errorf("Threshold %v Category %q", in.Threshold(), in.Category())
	}
	in.LowScore = 2
	if in.Threshold() != 2 {
		t.Errorf("explicit threshold %v", in.Threshold())
	}
	for _, bad := range []assess.Indicator{
		{Title: "t", MaxScore: 1},
		{Code: "1", MaxScore: 1},
		{Code: "1", Title: "t", MaxScore: -1},
		{Code: "1", Title: "t", MaxScore: 2, LowScore: 3},
	} {
		if assess.ErrorCode(bad.Validate()) != assess.EInvalid {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestExternalScoreValidate(t *testing.T) {
	tests := []struct {
		e  assess.ExternalScore
		ok bool
	}{
		{assess.ExternalScore{Source: assess.Survey, Score: 85.5, Max: 100}, true},
		{assess.ExternalScore{Source: assess.Onsite, Score: 0, Max: 20}, true},
		{assess.ExternalScore{Source: "rumour", Score: 1, Max: 100}, false},
		{assess.ExternalScore{Source: assess.Survey, Score: 101, Max: 100}, false},
		{assess.ExternalScore{Source: assess.Survey, Score: -1, Max: 100}, false},
		{assess.ExternalScore{Source: assess.Survey, Score: 1, Max: 0}, false},
	}
	for _, tt := range tests {
		if err := tt.e.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v: %v", tt.e, err)
		}
	}
}
