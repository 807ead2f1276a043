package assess

import (
	"strings"
	"unicode/utf8"
)

// Role is what a user does in the system.
type Role string

// The two roles of the Zibo system.
const (
	// Reporter (填报用户) files statements and evidence for its own unit.
	Reporter Role = "reporter"
	// Reviewer (审核用户) works in the city office: publishes, reviews, scores.
	Reviewer Role = "reviewer"
	// Service is an account another government system uses to import data.
	Service Role = "service"
)

// Label returns the role's Chinese name.
func (r Role) Label() string {
	switch r {
	case Reporter:
		return "填报用户"
	case Reviewer:
		return "审核用户"
	case Service:
		return "接口账号"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == Reporter || r == Reviewer || r == Service }

// User is a person (or a service) who logs in.
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Role     Role   `json:"role"`
	UnitID   string `json:"unit_id"`
	Admin    bool   `json:"admin"`
	Disabled bool   `json:"disabled"`
}

// CanSeeUnit reports whether u may read the tasks and evidence of unitID.
// Reviewers see every unit; reporters see only their own.
func (u User) CanSeeUnit(unitID string) bool {
	if u.Disabled {
		return false
	}
	return u.Role == Reviewer || (u.Role == Reporter && u.UnitID == unitID)
}

// ValidateUsername checks a login name: 2 to 64 characters, no spaces or
// control characters.
func ValidateUsername(name string) error {
	n := utf8.RuneCountInString(name)
	if n < 2 || n > 64 {
		return Errorf(EInvalid, "用户名长度应为 2 到 64 个字符 (username must be 2–64 characters)")
	}
	if strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r == 0x7f || r == ':' }) {
		return Errorf(EInvalid, "用户名不能包含空格、冒号或控制字符 (username must not contain spaces, colons or control characters)")
	}
	return nil
}

// ValidatePassword checks a new password: at least 8 characters with at least
// two of letters, digits and symbols.
func ValidatePassword(pw string) error {
	if utf8.RuneCountInString(pw) < 8 {
		return Errorf(EInvalid, "密码至少需要 8 个字符 (password needs at least 8 characters)")
	}
	if len(pw) > 256 {
		return Errorf(EInvalid, "密码过长，最多 256 个字节 (password too long)")
	}
	var letter, digit, other bool
	for _, r := range pw {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			letter = true
		default:
			other = true
		}
	}
	kinds := 0
	for _, b := range []bool{letter, digit, other} {
		if b {
			kinds++
		}
	}
	if kinds < 2 {
		return Errorf(EInvalid, "密码需包含字母、数字、符号中的至少两类 (password needs two of: letters, digits, symbols)")
	}
	return nil
}
