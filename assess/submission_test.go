package assess_test

import (
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
)

func TestValidateStatement(t *testing.T) {
	tests := []struct {
		name  string
		s     string
		final bool
		want  string // "" when accepted
	}{
		{"draft may be empty", "", false, ""},
		{"final needs text", "  \n\t", true, "请填写"},
		{"normal", "已于3月制定年度工作要点并印发。", true, ""},
		{"longest", strings.Repeat("法", assess.MaxStatementRunes), true, ""},
		{"too long", strings.Repeat("法", assess.MaxStatementRunes+1), false, "不能超过"},
		{"NUL", "说明\x00", false, "无效字符"},
		{"invalid UTF-8", "说明\xff", false, "无效字符"},
	}
	for _, tt := range tests {
		err := assess.ValidateStatement(tt.s, tt.final)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if assess.ErrorCode(err) != assess.EInvalid || !strings.Contains(assess.ErrorMessage(err), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}
