package assess_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, assess.CST)
	if err != nil {
		panic(err)
	}
	return t
}

func TestShippedTableParses(t *testing.T) {
	cal := assess.ChinaCalendar() // panics on a malformed table
	if got, want := cal.Years(), []int{2024, 2025, 2026, 2027}; !slices.Equal(got, want) {
		t.Fatalf("Years() = %v, want %v", got, want)
	}
	for _, y := range []int{2024, 2025, 2026} {
		if !cal.Covers(y) || cal.Provisional(y) {
			t.Errorf("year %d: Covers %v Provisional %v, want covered and final", y, cal.Covers(y), cal.Provisional(y))
		}
	}
	if !cal.Covers(2027) || !cal.Provisional(2027) {
		t.Errorf("2027 should be covered provisionally")
	}
	for _, y := range []int{2023, 2028} {
		if cal.Covers(y) || cal.Provisional(y) {
			t.Errorf("year %d should not be covered", y)
		}
	}
}

// The State Council schedules, written out independently of the data file.
var (
	makeupDays = []string{
		"2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29", "2024-10-12",
		"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
		"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
	}
	holidayRanges = [][2]string{
		{"2024-01-01", "2024-01-01"}, {"2024-02-10", "2024-02-17"}, {"2024-04-04", "2024-04-06"},
		{"2024-05-01", "2024-05-05"}, {"2024-06-10", "2024-06-10"}, {"2024-09-15", "2024-09-17"},
		{"2024-10-01", "2024-10-07"},
		{"2025-01-01", "2025-01-01"}, {"2025-01-28", "2025-02-04"}, {"2025-04-04", "2025-04-06"},
		{"2025-05-01", "2025-05-05"}, {"2025-05-31", "2025-06-02"}, {"2025-10-01", "2025-10-08"},
		{"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
		{"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"},
		{"2026-10-01", "2026-10-07"},
		{"2027-01-01", "2027-01-01"}, {"2027-02-05", "2027-02-08"}, {"2027-04-05", "2027-04-05"},
		{"2027-05-01", "2027-05-02"}, {"2027-06-09", "2027-06-09"}, {"2027-09-15", "2027-09-15"},
		{"2027-10-01", "2027-10-03"},
	}
)

func TestMakeupDaysAreWorkdays(t *testing.T) {
	cal := assess.ChinaCalendar()
	for _, s := range makeupDays {
		d := day(s)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			t.Errorf("%s is a %s; make-up days fall on weekends", s, wd)
		}
		if !cal.IsWorkday(d) {
			t.Errorf("make-up day %s: IsWorkday = false", s)
		}
		if name, kind, ok := cal.Holiday(d); !ok || kind != assess.MakeupWorkday || !strings.Contains(name, "调休上班") {
			t.Errorf("Holiday(%s) = %q %q %v, want a make-up workday", s, name, kind, ok)
		}
	}
}

func TestHolidaysAreNotWorkdays(t *testing.T) {
	cal := assess.ChinaCalendar()
	for _, r := range holidayRanges {
		for d := day(r[0]); !d.After(day(r[1])); d = d.AddDate(0, 0, 1) {
			if cal.IsWorkday(d) {
				t.Errorf("holiday %s: IsWorkday = true", d.Format(time.DateOnly))
			}
		}
	}
	// Every listed day of the table is one of the above.
	listed := 0
	for d := day("2024-01-01"); d.Year() <= 2027; d = d.AddDate(0, 0, 1) {
		if _, kind, ok := cal.Holiday(d); ok {
			listed++
			s := d.Format(time.DateOnly)
			if kind == assess.MakeupWorkday && !slices.Contains(makeupDays, s) {
				t.Errorf("%s listed as a make-up day but is not in the schedule", s)
			}
			if kind == assess.DayOff && !inRanges(d) {
				t.Errorf("%s listed as a holiday but is not in the schedule", s)
			}
		}
	}
	if listed < 100 {
		t.Errorf("only %d days listed for 2024–2027", listed)
	}
}

func inRanges(d time.Time) bool {
	for _, r := range holidayRanges {
		if !d.Before(day(r[0])) && !d.After(day(r[1])) {
			return true
		}
	}
	return false
}

func TestIsWorkday(t *testing.T) {
	cal := assess.ChinaCalendar()
	tests := []struct {
		name string
		t    time.Time
		want bool
	}{
		{"ordinary Monday", day("2026-03-02"), true},
		{"ordinary Saturday", day("2026-03-07"), false},
		{"ordinary Sunday", day("2026-03-08"), false},
		{"Spring Festival weekday", day("2026-02-18"), false},
		{"Spring Festival make-up Saturday", day("2026-02-14"), true},
		{"Qingming Monday 2026", day("2026-04-06"), false},
		{"provisional 2027 Spring Festival Monday", day("2027-02-08"), false},
		{"provisional 2027 has no make-up days", day("2027-02-13"), false},
		{"uncovered 2023 National Day is a plain Monday", day("2023-10-02"), true},
		{"uncovered 2028 New Year is a plain Saturday", day("2028-01-01"), false},
		{"far past", day("1990-05-01"), true},
		// 2026-02-14 17:00 UTC is 2026-02-15 01:00 in Beijing: Spring Festival.
		{"UTC evening is next day in CST", time.Date(2026, 2, 14, 17, 0, 0, 0, time.UTC), false},
		// 2026-02-13 20:00 UTC is 2026-02-14 04:00 in Beijing: make-up Saturday.
		{"UTC Friday evening is make-up Saturday in CST", time.Date(2026, 2, 13, 20, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		if got := cal.IsWorkday(tt.t); got != tt.want {
			t.Errorf("%s: IsWorkday(%v) = %v, want %v", tt.name, tt.t, got, tt.want)
		}
	}
}

func TestWorkdaysUntil(t *testing.T) {
	cal := assess.ChinaCalendar()
	tests := []struct {
		name     string
		from, to string
		want     int
	}{
		{"same day", "2026-03-02", "2026-03-02", 0},
		{"Mon to Fri", "2026-03-02", "2026-03-06", 4},
		{"Fri to Mon", "2026-03-06", "2026-03-09", 1},
		{"backwards Mon to Fri", "2026-03-09", "2026-03-06", -1},
		{"across 2026 Spring Festival", "2026-02-13", "2026-02-27", 5},
		{"four weeks around 2026 Spring Festival", "2026-02-06", "2026-03-06", 16},
		{"backwards across 2026 Spring Festival", "2026-02-27", "2026-02-13", -5},
		{"make-up Saturday after the festival", "2026-02-27", "2026-03-02", 2},
		{"inside the holiday", "2026-02-16", "2026-02-22", 0},
		{"National Day 2025 (8 days)", "2025-09-30", "2025-10-09", 1},
		{"National Day 2026 with make-up Saturday", "2026-09-30", "2026-10-10", 3},
		// 261 weekdays − 19 weekday holidays + 6 make-up days.
		{"whole year 2026", "2025-12-31", "2026-12-31", 248},
		// 261 weekdays − 18 weekday holidays + 5 make-up days.
		{"whole year 2025", "2024-12-31", "2025-12-31", 248},
		{"whole year 2024", "2023-12-31", "2024-12-31", 251},
		{"uncovered year 2030", "2029-12-31", "2030-12-31", 261},
	}
	for _, tt := range tests {
		if got := cal.WorkdaysUntil(day(tt.from), day(tt.to)); got != tt.want {
			t.Errorf("%s: WorkdaysUntil(%s, %s) = %d, want %d", tt.name, tt.from, tt.to, got, tt.want)
		}
	}
	// Times within a day do not matter, only the CST day.
	if got := cal.WorkdaysUntil(day("2026-03-02").Add(23*time.Hour), day("2026-03-03").Add(time.Minute)); got != 1 {
		t.Errorf("WorkdaysUntil with times of day = %d, want 1", got)
	}
}

func TestAddWorkdays(t *testing.T) {
	cal := assess.ChinaCalendar()
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"zero keeps the day", "2026-10-03", 0, "2026-10-03"},
		{"zero on a workday", "2026-03-02", 0, "2026-03-02"},
		{"one over National Day", "2026-09-30", 1, "2026-10-08"},
		{"three over National Day lands on make-up Saturday", "2026-09-30", 3, "2026-10-10"},
		{"into make-up Sunday before National Day", "2026-09-18", 1, "2026-09-20"},
		{"from inside the holiday", "2026-10-03", 1, "2026-10-08"},
		{"over 2025 National Day and Mid-Autumn", "2025-09-30", 1, "2025-10-09"},
		{"over 2026 Spring Festival", "2026-02-13", 5, "2026-02-27"},
		{"ten over 2024 Labour Day", "2024-04-26", 10, "2024-05-13"},
		{"back one over National Day", "2026-10-08", -1, "2026-09-30"},
		{"back two over National Day", "2026-10-08", -2, "2026-09-29"},
		{"back from a Sunday", "2026-03-08", -1, "2026-03-06"},
		{"back over Spring Festival", "2026-02-24", -1, "2026-02-14"},
		{"back into 2025", "2026-01-05", -1, "2026-01-04"},
		{"back two into 2025", "2026-01-05", -2, "2025-12-31"},
		{"uncovered year", "2030-01-04", 1, "2030-01-07"},
	}
	for _, tt := range tests {
		got := cal.AddWorkdays(day(tt.from), tt.n)
		if !got.Equal(day(tt.want)) || got.Location() != assess.CST {
			t.Errorf("%s: AddWorkdays(%s, %d) = %v, want %s CST", tt.name, tt.from, tt.n, got, tt.want)
		}
	}
}

// TestCalendarAgainstDayByDay checks WorkdaysUntil and AddWorkdays against a
// day-by-day walk with IsWorkday, at random days around the covered years.
func TestCalendarAgainstDayByDay(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := day("2023-06-01")
	for _, cal := range []*assess.Calendar{assess.ChinaCalendar(), nil} {
		for range 2000 {
			a := base.AddDate(0, 0, rng.IntN(365*5))
			b := a.AddDate(0, 0, rng.IntN(120)-60)
			if got, want := cal.WorkdaysUntil(a, b), walk(cal, a, b); got != want {
				t.Fatalf("WorkdaysUntil(%s, %s) = %d, walking gives %d", a.Format(time.DateOnly), b.Format(time.DateOnly), got, want)
			}
			n := rng.IntN(61) - 30
			if n == 0 {
				continue
			}
			r := cal.AddWorkdays(a, n)
			if !cal.IsWorkday(r) {
				t.Fatalf("AddWorkdays(%s, %d) = %s, not a workday", a.Format(time.DateOnly), n, r.Format(time.DateOnly))
			}
			if n > 0 && walk(cal, a, r) != n || n > 0 && walk(cal, a, r.AddDate(0, 0, -1)) == n {
				t.Fatalf("AddWorkdays(%s, %d) = %s is not the %d-th workday after", a.Format(time.DateOnly), n, r.Format(time.DateOnly), n)
			}
			// n < 0: exactly |n| working days in [r, a).
			if n < 0 && walk(cal, r.AddDate(0, 0, -1), a.AddDate(0, 0, -1)) != -n {
				t.Fatalf("AddWorkdays(%s, %d) = %s is not the %d-th workday before", a.Format(time.DateOnly), n, r.Format(time.DateOnly), -n)
			}
		}
	}
}

// walk counts working days in (a, b] one day at a time, negated when b < a.
func walk(cal *assess.Calendar, a, b time.Time) int {
	sign := 1
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	n := 0
	for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
		if cal.IsWorkday(d) {
			n++
		}
	}
	return sign * n
}

func TestAddWorkdaysFarAway(t *testing.T) {
	cal := assess.ChinaCalendar()
	from := day("2020-01-01")
	r := cal.AddWorkdays(from, 100000)
	if got := cal.WorkdaysUntil(from, r); got != 100000 {
		t.Errorf("100000 working days: WorkdaysUntil gives %d", got)
	}
	r = cal.AddWorkdays(from, -100000)
	if got := cal.WorkdaysUntil(r, from); got < 99999 || got > 100000 {
		t.Errorf("-100000 working days: WorkdaysUntil gives %d", got)
	}
}

func TestParseCalendarRejects(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"undeclared year", "2026-01-01 holiday 元旦\n", "未用 year 行声明"},
		{"bad date", "year 2026\n2026-02-30 holiday 春节\n", "日期“2026-02-30”无效"},
		{"bad kind", "year 2026\n2026-01-01 off 元旦\n", "类型“off”无效"},
		{"missing name", "year 2026\n2026-01-01 holiday\n", "三项"},
		{"make-up on a weekday", "year 2026\n2026-01-01 holiday 元旦\n2026-01-05 workday 调休\n", "不是周六或周日"},
		{"duplicate date", "year 2026\n2026-01-01 holiday 元旦\n2026-01-01 holiday 元旦\n", "重复"},
		{"provisional make-up", "year 2027 provisional\n2027-01-01 holiday 元旦\n2027-01-02 workday 调休\n", "暂定年份"},
		{"year twice", "year 2026\nyear 2026\n", "重复声明"},
		{"bad year line", "year 2026 final\n", "year 2027 provisional"},
		{"bad year", "year MMXXVI\n", "年份“MMXXVI”无效"},
		{"year without holidays", "year 2026\n", "没有任何节假日"},
		{"line number", "# comment\n\nyear 2026\n2026-01-01 holiday 元旦\nnonsense\n", "第 5 行"},
		{"invalid UTF-8", "year 2026\n2026-01-01 holiday \xff\n", "UTF-8"},
	}
	for _, tt := range tests {
		_, err := assess.ParseCalendar(strings.NewReader(tt.text))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestParseCalendarAccepts(t *testing.T) {
	cal, err := assess.ParseCalendar(strings.NewReader("# test\nyear 2030\n2030-01-01 holiday 元旦\n2030-01-05 workday 调休上班\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cal.IsWorkday(day("2030-01-01")) || !cal.IsWorkday(day("2030-01-05")) || !cal.Covers(2030) || cal.Provisional(2030) {
		t.Errorf("parsed calendar does not follow its table")
	}
}

func FuzzParseCalendar(f *testing.F) {
	f.Add("year 2026\n2026-01-01 holiday 元旦\n2026-01-04 workday 元旦调休上班\n")
	f.Add("year 2027 provisional\n2027-02-05 holiday 春节\n")
	f.Add("# x\nyear 9999\n9999-12-31 holiday 年末\n")
	f.Add("year 2026\n2026-13-01 holiday x\n")
	f.Fuzz(func(t *testing.T, text string) {
		cal, err := assess.ParseCalendar(strings.NewReader(text))
		if err != nil {
			return
		}
		for _, y := range cal.Years() {
			start := time.Date(y, 1, 1, 0, 0, 0, 0, assess.CST)
			for d := start; d.Year() == y; d = d.AddDate(0, 0, 1) {
				_, kind, ok := cal.Holiday(d)
				if !ok {
					continue
				}
				weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
				if kind == assess.MakeupWorkday && (!weekend || cal.Provisional(y) || !cal.IsWorkday(d)) {
					t.Fatalf("make-up day %v accepted wrongly", d)
				}
				if kind == assess.DayOff && cal.IsWorkday(d) {
					t.Fatalf("holiday %v is a workday", d)
				}
			}
			if got := cal.WorkdaysUntil(start, cal.AddWorkdays(start, 10)); got != 10 {
				t.Fatalf("AddWorkdays/WorkdaysUntil disagree: %d", got)
			}
		}
	})
}
