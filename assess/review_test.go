package assess_test

import (
	"math"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
)

func TestValidateScore(t *testing.T) {
	tests := []struct {
		score, max float64
		ok         bool
	}{
		{0, 10, true},
		{10, 10, true},
		{7.5, 10, true},
		{8.7, 10, true},
		{0.3, 1, true},
		{2.5, 2.5, true},
		{-0.1, 10, false},
		{10.1, 10, false},
		{7.05, 10, false},
		{0.05, 10, false},
		{math.NaN(), 10, false},
		{math.Inf(1), 10, false},
		{math.Inf(-1), 10, false},
		{5, math.NaN(), false},
		{1, 0, false},
	}
	for _, tt := range tests {
		err := assess.ValidateScore(tt.score, tt.max)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateScore(%v, %v) = %v, want ok %v", tt.score, tt.max, err, tt.ok)
		}
		if err != nil && (assess.ErrorCode(err) != assess.EInvalid || !hasChinese(assess.ErrorMessage(err))) {
			t.Errorf("ValidateScore(%v, %v): %v", tt.score, tt.max, err)
		}
	}
}

func TestFormatScore(t *testing.T) {
	for f, want := range map[float64]string{0: "0", 2.5: "2.5", 100: "100", 73.333: "73.33", 6.0: "6", 0.25: "0.25"} {
		if got := assess.FormatScore(f); got != want {
			t.Errorf("FormatScore(%v) = %q, want %q", f, got, want)
		}
	}
}
