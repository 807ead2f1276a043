package assess_test

import (
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
)

func TestValidateUsername(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"shenhe1", true},
		{"张三", true},
		{"ab", true},
		{strings.Repeat("a", 64), true},
		{"a", false},
		{strings.Repeat("a", 65), false},
		{"has space", false},
		{"a:b", false},
		{"a\x00b", false},
		{"ab\x7f", false},
		{"", false},
	}
	for _, tt := range tests {
		if err := assess.ValidateUsername(tt.name); (err == nil) != tt.ok || err != nil && !hasChinese(assess.ErrorMessage(err)) {
			t.Errorf("ValidateUsername(%q) = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		pw string
		ok bool
	}{
		{"abcd1234", true},
		{"Kp7mQ2xR9tWz", true},
		{"abc!defg", true},
		{"中文密码abcd", true},
		{"abc123", false},
		{"abcdefgh", false},
		{"12345678", false},
		{"!@#$%^&*", false},
		{"中文密码中文密码", false},
		{strings.Repeat("a1", 129), false},
		{strings.Repeat("a1", 128), true},
	}
	for _, tt := range tests {
		if err := assess.ValidatePassword(tt.pw); (err == nil) != tt.ok || err != nil && !hasChinese(assess.ErrorMessage(err)) {
			t.Errorf("ValidatePassword(%q) = %v, want ok %v", tt.pw, err, tt.ok)
		}
	}
}

func TestCanSeeUnit(t *testing.T) {
	tests := []struct {
		u    assess.User
		unit string
		want bool
	}{
		{assess.User{Role: assess.Reviewer, UnitID: "office"}, "east", true},
		{assess.User{Role: assess.Reviewer, Disabled: true}, "east", false},
		{assess.User{Role: assess.Reporter, UnitID: "east"}, "east", true},
		{assess.User{Role: assess.Reporter, UnitID: "east"}, "west", false},
		{assess.User{Role: assess.Reporter, UnitID: "east", Disabled: true}, "east", false},
		{assess.User{Role: assess.Service, UnitID: "east"}, "east", false},
	}
	for _, tt := range tests {
		if got := tt.u.CanSeeUnit(tt.unit); got != tt.want {
			t.Errorf("%+v CanSeeUnit(%s) = %v, want %v", tt.u, tt.unit, got, tt.want)
		}
	}
}
