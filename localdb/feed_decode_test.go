package localdb

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

// sameAsJSON checks one entity's scanner against encoding/json on b: when
// the scanner accepts b, encoding/json must decode it without error to the
// same value.
func sameAsJSON[T any](t *testing.T, what string, b []byte, scan func([]byte, *T) bool) (accepted bool) {
	t.Helper()
	var fast, slow T
	if !scan(b, &fast) {
		return false
	}
	if err := json.Unmarshal(b, &slow); err != nil {
		t.Fatalf("%s: the scanner accepted %q, encoding/json refuses it: %v", what, b, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s of %q:\nscanner       %+v\nencoding/json %+v", what, b, fast, slow)
	}
	return true
}

func checkScanners(t *testing.T, b []byte) (task, sub, review bool) {
	return sameAsJSON(t, "task", b, scanTask), sameAsJSON(t, "submission", b, scanSubmission), sameAsJSON(t, "review", b, scanReview)
}

func feedSamples() (taskJSON, subJSON, reviewJSON []byte) {
	at := time.Date(2026, 4, 1, 2, 3, 4, 5000, time.UTC)
	tk := task(ind1, unit1, assess.Scored, 2)
	tk.Score, tk.Scored, tk.ReviewVersion, tk.UpdatedAt = 2.5, true, 2, at
	s := assess.Submission{ID: tk.ID + "#2", TaskID: tk.ID, UnitID: "u1", Version: 2, Statement: "第二版说明（附件一份）",
		Attachments: []assess.Attachment{{Hash: strings.Repeat("1", 64), Name: "文件.pdf", Size: 100, Slot: -1}}, SubmittedBy: "r1", SubmittedAt: at}
	r := assess.Review{ID: "rv1", TaskID: tk.ID, UnitID: "u1", Version: 2, Decision: assess.Score, Score: 2.5, Comment: "材料不全",
		Reviewer: "v1", CreatedAt: at.In(assess.CST)}
	taskJSON, _ = json.Marshal(tk)
	subJSON, _ = json.Marshal(s)
	reviewJSON, _ = json.Marshal(r)
	return taskJSON, subJSON, reviewJSON
}

// TestScanEntities checks the scanners on the server's own encoding (which
// they must accept) and on forms they must leave to encoding/json.
func TestScanEntities(t *testing.T) {
	task, sub, review := feedSamples()
	if ok, _, _ := checkScanners(t, task); !ok {
		t.Errorf("the task scanner refused the server's encoding %s", task)
	}
	if _, ok, _ := checkScanners(t, sub); !ok {
		t.Errorf("the submission scanner refused the server's encoding %s", sub)
	}
	if _, _, ok := checkScanners(t, review); !ok {
		t.Errorf("the review scanner refused the server's encoding %s", review)
	}
	for _, c := range []struct{ name, json string }{
		{"space", `{"id": "a"}`},
		{"escape", `{"id":"a\"b"}`},
		{"unicode escape", `{"id":"\u0061"}`},
		{"capital key", `{"ID":"a"}`},
		{"unknown key", `{"id":"a","extra":1}`},
		{"null", `{"id":null}`},
		{"number as string", `{"version":"1"}`},
		{"fraction into int", `{"version":1.5}`},
		{"exponent into int", `{"version":1e2}`},
		{"int overflow", `{"version":99999999999999999999}`},
		{"float overflow", `{"score":1e400}`},
		{"leading zero", `{"score":01}`},
		{"plus", `{"score":+1}`},
		{"string as bool", `{"scored":"true"}`},
		{"bad time", `{"updated_at":"2026-13-01T00:00:00Z"}`},
		{"object value", `{"id":{}}`},
		{"invalid utf-8", "{\"id\":\"a\xff\"}"},
		{"control character", "{\"id\":\"a\tb\"}"},
		{"trailing comma", `{"id":"a",}`},
		{"after the object", `{"id":"a"}x`},
		{"not an object", `["id"]`},
		{"attachments not canonical", `{"attachments":[ ]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if a, b, r := checkScanners(t, []byte(c.json)); a || b || r {
				t.Errorf("%s accepted by a scanner (task %v, submission %v, review %v)", c.json, a, b, r)
			}
		})
	}
	// What the scanners read as encoding/json does.
	for _, s := range []string{`{}`, `{"id":"a","id":"b"}`, `{"version":-0,"score":-0.0e+1}`, `{"score":1E-3,"scored":false}`,
		`{"attachments":[],"statement":"<&>\u2028"}`} {
		checkScanners(t, []byte(strings.ReplaceAll(s, `\u2028`, "\u2028")))
	}
}

// FuzzScanEntities holds the scanners to encoding/json on any input.
func FuzzScanEntities(f *testing.F) {
	task, sub, review := feedSamples()
	for _, b := range [][]byte{task, sub, review, []byte(`{}`), []byte(`{"version":1,"score":-2.5e-3}`),
		[]byte(`{"attachments":[{"hash":"a","name":"b","size":1,"slot":0}]}`)} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkScanners(t, b)
	})
}
