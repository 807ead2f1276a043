package localdb

import (
	"strconv"
	"unicode/utf8"

	"github.com/yiwangtong/yiwangtong/assess"
)

// The feed's most frequent entities (a first pull is almost all tasks,
// submissions and reviews) are read by a scanner of the compact JSON the
// server writes, in one pass and without reflection: encoding/json reads
// each entry's data twice over (validating, then decoding). The scanner
// accepts only what it can read exactly as encoding/json would: a compact
// object whose members are spelled as the struct tags say, holding strings
// without escapes, numbers, true and false (and, for submissions, the
// attachments in their stored form); for anything else it answers false and
// the caller decodes with encoding/json. A fuzz test holds both to the same
// results.

// scanObject calls member for each member of the compact JSON object b, in
// order, with the key and the value's bytes; it reports false when b is not
// such an object or member refuses a value.
func scanObject(b []byte, member func(key, v []byte) bool) bool {
	if len(b) < 2 || b[0] != '{' {
		return false
	}
	if len(b) == 2 {
		return b[1] == '}'
	}
	i := 1
	for {
		key, end, ok := stringToken(b, i)
		if !ok || end >= len(b) || b[end] != ':' {
			return false
		}
		i = end + 1
		if end, ok = valueEnd(b, i); !ok || end >= len(b) {
			return false
		}
		if !member(key, b[i:end]) {
			return false
		}
		i = end + 1
		switch b[end] {
		case ',':
		case '}':
			return i == len(b)
		default:
			return false
		}
	}
}

// stringToken reads the JSON string at b[i:] when it holds no escape, no
// control character and only valid UTF-8, so that its content is its bytes;
// it returns the content and the index after the closing quote.
func stringToken(b []byte, i int) (content []byte, end int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	ascii := true
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			s := b[i+1 : j]
			if !ascii && !utf8.Valid(s) {
				return nil, 0, false // encoding/json would put U+FFFD in
			}
			return s, j + 1, true
		case c == '\\' || c < 0x20:
			return nil, 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, 0, false
}

// valueEnd returns the index after the value at b[i:]: a plain string, a
// JSON number, true, false, null or an attachment list in its stored form.
func valueEnd(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch c := b[i]; {
	case c == '"':
		_, end, ok := stringToken(b, i)
		return end, ok
	case c == '-' || c >= '0' && c <= '9':
		return numberEnd(b, i)
	case c == 't':
		return literalEnd(b, i, "true")
	case c == 'f':
		return literalEnd(b, i, "false")
	case c == 'n':
		return literalEnd(b, i, "null")
	case c == '[':
		n, ok := attachmentsPrefix(b[i:])
		return i + n, ok
	}
	return 0, false
}

func literalEnd(b []byte, i int, lit string) (int, bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, false
	}
	return i + len(lit), true
}

// numberEnd returns the index after the JSON number at b[i:]:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func numberEnd(b []byte, i int) (int, bool) {
	digits := func(j int) int {
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		return j
	}
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(i)
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

// The setters take a value's bytes as scanObject found them and report
// whether it is of the kind the field takes, in the form encoding/json would
// accept without error.

func setString(v []byte, dst *string) bool {
	s, _, ok := stringToken(v, 0)
	if ok {
		*dst = string(s)
	}
	return ok
}

// setInt takes an integer without fraction or exponent, which is what
// encoding/json accepts for an int.
func setInt(v []byte, dst *int) bool {
	if len(v) == 0 || v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		return false
	}
	n, err := strconv.ParseInt(string(v), 10, strconv.IntSize)
	if err != nil {
		return false
	}
	*dst = int(n)
	return true
}

func setFloat(v []byte, dst *float64) bool {
	if len(v) == 0 || v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		return false
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return false
	}
	*dst = f
	return true
}

func setBool(v []byte, dst *bool) bool {
	switch string(v) {
	case "true":
		*dst = true
	case "false":
		*dst = false
	default:
		return false
	}
	return true
}

// setTime reads a string through time.Time's UnmarshalJSON, as
// encoding/json does.
func setTime(v []byte, dst interface{ UnmarshalJSON([]byte) error }) bool {
	if _, _, ok := stringToken(v, 0); !ok {
		return false
	}
	return dst.UnmarshalJSON(v) == nil
}

// scanTask reads a task's data; false: decode it with encoding/json.
func scanTask(b []byte, t *assess.Task) bool {
	return scanObject(b, func(k, v []byte) bool {
		switch string(k) {
		case "id":
			return setString(v, &t.ID)
		case "year_id":
			return setString(v, &t.YearID)
		case "indicator_id":
			return setString(v, &t.IndicatorID)
		case "unit_id":
			return setString(v, &t.UnitID)
		case "status":
			return setString(v, (*string)(&t.Status))
		case "version":
			return setInt(v, &t.Version)
		case "score":
			return setFloat(v, &t.Score)
		case "scored":
			return setBool(v, &t.Scored)
		case "review_version":
			return setInt(v, &t.ReviewVersion)
		case "updated_at":
			return setTime(v, &t.UpdatedAt)
		}
		return false
	})
}

// scanSubmission reads a submission's data, keeping the attachments in
// their stored form; false: decode it with encoding/json.
func scanSubmission(b []byte, s *feedSubmission) bool {
	return scanObject(b, func(k, v []byte) bool {
		switch string(k) {
		case "id":
			return setString(v, &s.ID)
		case "task_id":
			return setString(v, &s.TaskID)
		case "unit_id":
			return setString(v, &s.UnitID)
		case "version":
			return setInt(v, &s.Version)
		case "statement":
			return setString(v, &s.Statement)
		case "attachments":
			if n, ok := attachmentsPrefix(v); !ok || n != len(v) {
				return false
			}
			s.Attachments = v
			return true
		case "submitted_by":
			return setString(v, &s.SubmittedBy)
		case "submitted_at":
			return setTime(v, &s.SubmittedAt)
		}
		return false
	})
}

// scanReview reads a review's data; false: decode it with encoding/json.
func scanReview(b []byte, r *assess.Review) bool {
	return scanObject(b, func(k, v []byte) bool {
		switch string(k) {
		case "id":
			return setString(v, &r.ID)
		case "task_id":
			return setString(v, &r.TaskID)
		case "unit_id":
			return setString(v, &r.UnitID)
		case "version":
			return setInt(v, &r.Version)
		case "decision":
			return setString(v, (*string)(&r.Decision))
		case "score":
			return setFloat(v, &r.Score)
		case "comment":
			return setString(v, &r.Comment)
		case "reviewer":
			return setString(v, &r.Reviewer)
		case "created_at":
			return setTime(v, &r.CreatedAt)
		}
		return false
	})
}
