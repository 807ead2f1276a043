package localdb

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// decodeAttachments is the reference: decode the list, write it anew.
func decodeAttachments(raw []byte) (string, error) {
	var atts []assess.Attachment
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &atts); err != nil {
			return "", err
		}
	}
	return jsonAttachments(atts), nil
}

// TestCanonicalAttachments checks which lists are kept as they came: only
// those byte for byte as the encoder writes them.
func TestCanonicalAttachments(t *testing.T) {
	h := strings.Repeat("a", 64)
	one := `{"hash":"` + h + `","name":"文件.pdf","size":100,"slot":-1}`
	for _, c := range []struct {
		name string
		raw  string
		want bool
	}{
		{"empty list", `[]`, true},
		{"one", `[` + one + `]`, true},
		{"two", `[` + one + `,` + one + `]`, true},
		{"zero and negative", `[{"hash":"","name":"","size":0,"slot":-9223372036854775808}]`, true},
		{"null", `null`, false},
		{"nothing", ``, false},
		{"space", `[ ` + one + `]`, false},
		{"space inside", `[{"hash": "` + h + `","name":"a","size":1,"slot":0}]`, false},
		{"other order", `[{"name":"a","hash":"` + h + `","size":1,"slot":0}]`, false},
		{"missing field", `[{"hash":"` + h + `","name":"a","size":1}]`, false},
		{"extra field", `[{"hash":"` + h + `","name":"a","size":1,"slot":0,"x":1}]`, false},
		{"capital key", `[{"Hash":"` + h + `","name":"a","size":1,"slot":0}]`, false},
		{"escape", `[{"hash":"` + h + `","name":"a\"b","size":1,"slot":0}]`, false},
		{"unicode escape", `[{"hash":"` + h + `","name":"\u6587","size":1,"slot":0}]`, false},
		{"html", `[{"hash":"` + h + `","name":"a<b","size":1,"slot":0}]`, false},
		{"ampersand", `[{"hash":"` + h + `","name":"a&b","size":1,"slot":0}]`, false},
		{"control", "[{\"hash\":\"" + h + "\",\"name\":\"a\tb\",\"size\":1,\"slot\":0}]", false},
		{"line separator", "[{\"hash\":\"" + h + "\",\"name\":\"a\u2028b\",\"size\":1,\"slot\":0}]", false},
		{"invalid utf-8", "[{\"hash\":\"" + h + "\",\"name\":\"a\xffb\",\"size\":1,\"slot\":0}]", false},
		{"leading zero", `[{"hash":"` + h + `","name":"a","size":01,"slot":0}]`, false},
		{"minus zero", `[{"hash":"` + h + `","name":"a","size":-0,"slot":0}]`, false},
		{"fraction", `[{"hash":"` + h + `","name":"a","size":1.0,"slot":0}]`, false},
		{"exponent", `[{"hash":"` + h + `","name":"a","size":1e3,"slot":0}]`, false},
		{"too big", `[{"hash":"` + h + `","name":"a","size":9223372036854775808,"slot":0}]`, false},
		{"string size", `[{"hash":"` + h + `","name":"a","size":"1","slot":0}]`, false},
		{"trailing comma", `[` + one + `,]`, false},
		{"unterminated", `[` + one, false},
		{"after", `[` + one + `]x`, false},
		{"object", one, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := canonicalAttachments([]byte(c.raw)); got != c.want {
				t.Fatalf("canonicalAttachments(%s) = %v, want %v", c.raw, got, c.want)
			}
			got, err := attachmentsJSON([]byte(c.raw))
			want, werr := decodeAttachments([]byte(c.raw))
			if (err != nil) != (werr != nil) || got != want {
				t.Fatalf("attachmentsJSON(%s) = %q, %v; decoding gives %q, %v", c.raw, got, err, want, werr)
			}
		})
	}
}

// FuzzAttachmentsJSON checks that keeping a list as it came gives exactly
// what decoding and encoding it gives, and fails exactly when decoding does.
func FuzzAttachmentsJSON(f *testing.F) {
	h := strings.Repeat("b", 64)
	for _, s := range []string{`[]`, `null`, `[{"hash":"` + h + `","name":"纪要.docx","size":200,"slot":1}]`,
		`[{"hash":"x","name":"a\u003cb","size":-1,"slot":2},{"hash":"","name":"","size":0,"slot":0}]`,
		`[{"slot":1,"size":2,"name":"n","hash":"h"}]`, `[1]`, `{}`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := attachmentsJSON(raw)
		want, werr := decodeAttachments(raw)
		if (err != nil) != (werr != nil) || got != want {
			t.Fatalf("attachmentsJSON(%q) = %q, %v; decoding gives %q, %v", raw, got, err, want, werr)
		}
		if canonicalAttachments(raw) && string(raw) != want {
			t.Fatalf("%q passed as canonical, but the encoder writes %q", raw, want)
		}
	})
}

// TestApplySubmissionAttachments applies submissions whose attachments come
// in the encoder's form and in others (spaces, other key order, escapes):
// each is read back the same, and stored in the encoder's form.
func TestApplySubmissionAttachments(t *testing.T) {
	db := seeded(t)
	ctx := context.Background()
	h := strings.Repeat("c", 64)
	want := []assess.Attachment{{Hash: h, Name: "<会议>纪要&台账.pdf", Size: 12, Slot: 2}, {Hash: h, Name: "照片.jpg", Size: 7, Slot: -1}}
	stored := jsonAttachments(want)
	tk := task(ind1, unit1, assess.Submitted, 1)
	forms := []string{
		stored,
		`[ {"slot":2, "size":12, "name":"\u003c会议\u003e纪要\u0026台账.pdf", "hash":"` + h + `"},
		   {"Hash":"` + h + `","NAME":"照片.jpg","size":7,"slot":-1} ]`,
	}
	for i, form := range forms {
		data := `{"id":"` + tk.ID + `#1","task_id":"` + tk.ID + `","unit_id":"u1","version":1,"statement":"说明",` +
			`"attachments":` + form + `,"submitted_by":"r1","submitted_at":"2026-04-01T02:03:04Z"}`
		page := wire.ChangesResponse{Entries: []wire.Entry{{Seq: int64(101 + i), Entity: wire.EntitySubmission, ID: tk.ID + "#1", Data: json.RawMessage(data)}}, Next: int64(101 + i)}
		if err := db.ApplyPage(ctx, page); err != nil {
			t.Fatalf("form %d: %v", i, err)
		}
		subs, err := db.Submissions(ctx, tk.ID)
		if err != nil || len(subs) != 1 {
			t.Fatalf("form %d: submissions %+v, %v", i, subs, err)
		}
		equal(t, "attachments", subs[0].Attachments, want)
		var raw string
		if err := db.r.QueryRow("SELECT attachments FROM submissions WHERE id = ?", tk.ID+"#1").Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if raw != stored {
			t.Errorf("form %d stored as %s, want %s", i, raw, stored)
		}
	}
	bad := wire.ChangesResponse{Entries: []wire.Entry{{Seq: 200, Entity: wire.EntitySubmission, ID: tk.ID + "#1",
		Data: json.RawMessage(`{"id":"` + tk.ID + `#1","task_id":"` + tk.ID + `","attachments":[{"hash":1}]}`)}}, Next: 200}
	if err := db.ApplyPage(ctx, bad); err == nil || !strings.Contains(err.Error(), "decode submission") {
		t.Fatalf("attachments of the wrong type: err = %v", err)
	}
	if cur, _ := db.Cursor(ctx); cur != 102 {
		t.Errorf("cursor %d after a refused page, want 102", cur)
	}
}
