package localdb

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/yiwangtong/yiwangtong/assess"
)

// feedSubmission is the feed's submission entity as the mirror stores it:
// assess.Submission with the attachments left as JSON, so that a list the
// server sent in the stored form is kept as it came rather than decoded
// into structs and encoded again.
type feedSubmission struct {
	ID          string          `json:"id"`
	TaskID      string          `json:"task_id"`
	UnitID      string          `json:"unit_id"`
	Version     int             `json:"version"`
	Statement   string          `json:"statement"`
	Attachments json.RawMessage `json:"attachments"`
	SubmittedBy string          `json:"submitted_by"`
	SubmittedAt time.Time       `json:"submitted_at"`
}

// attachmentsJSON returns the stored form of a feed entry's attachments:
// exactly what jsonAttachments writes for the list raw decodes to. When raw
// is already in that form (the server writes it with the same encoder) it
// is returned as it is; anything else is decoded, which also refuses what
// is not a list of attachments, and written anew.
func attachmentsJSON(raw json.RawMessage) (string, error) {
	if canonicalAttachments(raw) {
		return string(raw), nil
	}
	var atts []assess.Attachment
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &atts); err != nil {
			return "", err
		}
	}
	return jsonAttachments(atts), nil
}

// canonicalAttachments reports whether b is byte for byte what
// encoding/json writes for a non-empty []assess.Attachment, or "[]": every
// object with the fields hash, name, size, slot in that order, no space,
// integers in their shortest form, and strings that need no escape at all
// (no control characters, quotes, backslashes, HTML-special characters,
// invalid UTF-8 or line and paragraph separators, which the encoder would
// escape). A false answer only means the slow path decides.
func canonicalAttachments(b []byte) bool {
	n, ok := attachmentsPrefix(b)
	return ok && n == len(b)
}

// attachmentsPrefix reads an attachment list in the form canonicalAttachments
// accepts from the start of b and returns its length.
func attachmentsPrefix(b []byte) (int, bool) {
	if len(b) >= 2 && string(b[:2]) == "[]" {
		return 2, true
	}
	rest, ok := cutPrefix(b, "[")
	if !ok {
		return 0, false
	}
	for {
		if rest, ok = cutPrefix(rest, `{"hash":`); !ok {
			return 0, false
		}
		if rest, ok = plainString(rest); !ok {
			return 0, false
		}
		if rest, ok = cutPrefix(rest, `,"name":`); !ok {
			return 0, false
		}
		if rest, ok = plainString(rest); !ok {
			return 0, false
		}
		if rest, ok = cutPrefix(rest, `,"size":`); !ok {
			return 0, false
		}
		if rest, ok = shortestInt(rest, 64); !ok {
			return 0, false
		}
		if rest, ok = cutPrefix(rest, `,"slot":`); !ok {
			return 0, false
		}
		if rest, ok = shortestInt(rest, strconv.IntSize); !ok {
			return 0, false
		}
		if rest, ok = cutPrefix(rest, `}`); !ok {
			return 0, false
		}
		if r, end := cutPrefix(rest, `]`); end {
			return len(b) - len(r), true
		}
		if rest, ok = cutPrefix(rest, `,`); !ok {
			return 0, false
		}
	}
}

// cutPrefix returns b without prefix, and whether b began with it.
func cutPrefix(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return b, false
	}
	return b[len(prefix):], true
}

// plainString reads a JSON string that encoding/json would write exactly so
// (no escapes needed) from the start of b and returns the rest of b.
func plainString(b []byte) ([]byte, bool) {
	if len(b) == 0 || b[0] != '"' {
		return b, false
	}
	for i := 1; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"':
				return b[i+1:], true
			case c < 0x20, c == '\\', c == '<', c == '>', c == '&':
				return b, false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			return b, false // the encoder writes U+FFFD and these escaped
		}
		i += n
	}
	return b, false
}

// shortestInt reads an integer that fits in bits bits, written as
// strconv.FormatInt writes it, from the start of b and returns the rest.
func shortestInt(b []byte, bits int) ([]byte, bool) {
	i := 0
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		i++
	}
	start := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	switch {
	case i == start:
		return b, false
	case b[start] == '0' && (i-start > 1 || neg):
		return b, false // a leading zero, or -0
	}
	safe := 18 // digits that always fit
	if bits < 64 {
		safe = 9
	}
	if i-start > safe {
		if _, err := strconv.ParseInt(string(b[:i]), 10, bits); err != nil {
			return b, false
		}
	}
	return b[i:], true
}
