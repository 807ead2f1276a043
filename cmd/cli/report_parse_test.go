package cli

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/report"
)

func periodFlags(from, to string) *flag.FlagSet {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.String("from", "", "")
	fs.String("to", "", "")
	_ = fs.Set("from", from)
	_ = fs.Set("to", to)
	return fs
}

func TestPeriod(t *testing.T) {
	day := func(m time.Month, d int) time.Time { return assess.Date(2026, m, d) }
	tests := []struct {
		from, to string
		f, u     time.Time
		ok       bool
	}{
		{"", "", time.Time{}, time.Time{}, true},
		{"2026-03-01", "", day(3, 1), time.Time{}, true},
		{"", "2026-03-31", time.Time{}, day(4, 1), true},
		{"2026-03-02", "2026-03-02", day(3, 2), day(3, 3), true},
		{" 2026-03-02 ", "2026-03-05", day(3, 2), day(3, 6), true},
		{"2026-03-06", "2026-03-05", time.Time{}, time.Time{}, false},
		{"2026/03/01", "", time.Time{}, time.Time{}, false},
		{"", "三月", time.Time{}, time.Time{}, false},
	}
	for _, tt := range tests {
		f, u, err := period(periodFlags(tt.from, tt.to))
		if (err == nil) != tt.ok || err == nil && (!f.Equal(tt.f) || !u.Equal(tt.u)) {
			t.Errorf("period(%q, %q) = %v, %v, %v", tt.from, tt.to, f, u, err)
		}
	}
}

// FuzzPeriod feeds arbitrary dates: never a panic, and an accepted period
// is never empty.
func FuzzPeriod(f *testing.F) {
	f.Add("2026-03-01", "2026-03-31")
	f.Add("", "9999-12-31")
	f.Add("0000-01-01", "")
	f.Fuzz(func(t *testing.T, from, to string) {
		a, b, err := period(periodFlags(from, to))
		if err == nil && !a.IsZero() && !b.IsZero() && !a.Before(b) {
			t.Errorf("period(%q, %q) accepted an empty period %v – %v", from, to, a, b)
		}
	})
}

// FuzzFeedbackNames gives units arbitrary IDs and names: the report file
// names stay distinct and free of folder separators.
func FuzzFeedbackNames(f *testing.F) {
	f.Add("east", "东城区", "west", "东城区")
	f.Add("a/b", "..", "a\\b", "..")
	f.Add("", "", "", "")
	f.Fuzz(func(t *testing.T, id1, name1, id2, name2 string) {
		if id1 == id2 {
			return
		}
		y := assess.Year{ID: "2026", Name: "2026年度"}
		names := report.FeedbackFileNames([]report.FeedbackData{
			{Year: y, Unit: assess.Unit{ID: id1, Name: name1}},
			{Year: y, Unit: assess.Unit{ID: id2, Name: name2}},
		})
		for _, n := range names {
			if strings.ContainsAny(n, `/\`) || n == "" || n == "." || n == ".." {
				t.Errorf("unsafe file name %q", n)
			}
		}
		if strings.EqualFold(names[0], names[1]) {
			t.Errorf("two units get the same file name %q", names[0])
		}
	})
}
