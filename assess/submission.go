package assess

import (
	"strings"
	"time"
	"unicode/utf8"
)

// MaxStatementRunes bounds an implementation statement.
const MaxStatementRunes = 20000

// Attachment is one evidence file (佐证材料) attached to a submission, named by
// its content hash.
type Attachment struct {
	Hash string `json:"hash"` // lowercase hex SHA-256
	Name string `json:"name"`
	Size int64  `json:"size"`
	Slot int    `json:"slot"` // index into the indicator's evidence checklist; -1 for none
}

// Submission is one submitted version of a unit's statement and evidence for
// a task. A submitted version is immutable: a resubmission is a new version.
type Submission struct {
	ID          string       `json:"id"` // taskID#version
	TaskID      string       `json:"task_id"`
	UnitID      string       `json:"unit_id"`
	Version     int          `json:"version"`
	Statement   string       `json:"statement"`
	Attachments []Attachment `json:"attachments"`
	SubmittedBy string       `json:"submitted_by"`
	SubmittedAt time.Time    `json:"submitted_at"`
}

// ValidateStatement checks an implementation statement for submission.
func ValidateStatement(s string, final bool) error {
	if !utf8.ValidString(s) {
		return Errorf(EInvalid, "落实情况说明含有无效字符 (statement is not valid UTF-8)")
	}
	if utf8.RuneCountInString(s) > MaxStatementRunes {
		return Errorf(EInvalid, "落实情况说明不能超过 %d 字 (statement too long)", MaxStatementRunes)
	}
	if final && strings.TrimSpace(s) == "" {
		return Errorf(EInvalid, "请填写落实情况说明后再提交 (write the statement before submitting)")
	}
	if strings.ContainsRune(s, 0) {
		return Errorf(EInvalid, "落实情况说明含有无效字符 (statement contains NUL)")
	}
	return nil
}
