package assess

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// holidaysCN is the shipped table of statutory holidays and make-up working
// days: the State Council notices for 2024, 2025 and 2026, and for 2027 the
// statutory holiday days only (provisional, see holidays_cn.txt).
//
//go:embed holidays_cn.txt
var holidaysCN string

// DayKind says why a day in the holiday table is special.
type DayKind string

// Kinds of listed days.
const (
	DayOff        DayKind = "holiday" // 放假: not a working day
	MakeupWorkday DayKind = "workday" // 调休上班: a weekend day that is a working day
)

// Calendar knows which days are working days in China: Monday to Friday,
// less statutory holidays, plus the make-up working days (调休上班) the State
// Council announces each year. Days are China Standard Time.
//
// The shipped table (ChinaCalendar) covers 2024 to 2027. 2027 is provisional:
// the State Council notice was not out when the table was made, so it lists
// only the statutory holiday days of the 2025 revision of 全国年节及纪念日放假办法,
// with no make-up working days (see Provisional). Outside the covered years
// Monday to Friday are working days.
//
// A Calendar is immutable and safe for concurrent use. A nil or zero
// Calendar is a plain Monday-to-Friday calendar.
type Calendar struct {
	days  map[int64]listedDay // by day number (days since 1970-01-01 CST)
	order []int64             // listed day numbers, ascending
	years map[int]bool        // covered years → provisional
}

type listedDay struct {
	kind DayKind
	name string
}

var (
	chinaOnce sync.Once
	china     *Calendar
)

// ChinaCalendar returns the calendar built from the shipped holiday table.
// It parses the table once; a malformed table is a programming error and
// panics (a test parses it too).
func ChinaCalendar() *Calendar {
	chinaOnce.Do(func() {
		c, err := ParseCalendar(strings.NewReader(holidaysCN))
		if err != nil {
			panic("assess: shipped holiday table: " + err.Error())
		}
		china = c
	})
	return china
}

// ParseCalendar reads a holiday table: blank lines and lines starting with
// '#' are ignored; "year 2026" or "year 2027 provisional" declares a covered
// year; every other line is "YYYY-MM-DD kind name" with kind "holiday" or
// "workday". Each date must fall in a year declared before it and be listed
// once; a make-up working day must be a Saturday or Sunday; a provisional year
// has no make-up working days.
func ParseCalendar(r io.Reader) (*Calendar, error) {
	c := &Calendar{days: map[int64]listedDay{}, years: map[int]bool{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("节假日表第 %d 行不是有效的 UTF-8 (line %d: invalid UTF-8)", n, n)
		}
		fields := strings.Fields(line)
		if fields[0] == "year" {
			if err := c.parseYear(fields); err != nil {
				return nil, fmt.Errorf("节假日表第 %d 行: %w (line %d)", n, err, n)
			}
			continue
		}
		if err := c.parseDay(fields); err != nil {
			return nil, fmt.Errorf("节假日表第 %d 行: %w (line %d)", n, err, n)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("读取节假日表失败 (read holiday table): %w", err)
	}
	for y := range c.years {
		if !c.hasHoliday(y) {
			return nil, fmt.Errorf("节假日表声明了 %d 年却没有任何节假日 (year %d has no holidays)", y, y)
		}
	}
	for dn := range c.days {
		c.order = append(c.order, dn)
	}
	slices.Sort(c.order)
	return c, nil
}

func (c *Calendar) parseYear(fields []string) error {
	if len(fields) < 2 || len(fields) > 3 || len(fields) == 3 && fields[2] != "provisional" {
		return fmt.Errorf("年份行应为 “year 2026” 或 “year 2027 provisional” (bad year line)")
	}
	y, err := strconv.Atoi(fields[1])
	if err != nil || y < 1949 || y > 9999 {
		return fmt.Errorf("年份“%s”无效 (bad year)", fields[1])
	}
	if _, dup := c.years[y]; dup {
		return fmt.Errorf("年份 %d 重复声明 (year declared twice)", y)
	}
	c.years[y] = len(fields) == 3
	return nil
}

func (c *Calendar) parseDay(fields []string) error {
	if len(fields) < 3 {
		return fmt.Errorf("应为 “日期 类型 名称” 三项 (want: date kind name)")
	}
	d, err := time.ParseInLocation(time.DateOnly, fields[0], CST)
	if err != nil {
		return fmt.Errorf("日期“%s”无效，应为 YYYY-MM-DD (bad date)", fields[0])
	}
	provisional, covered := c.years[d.Year()]
	if !covered {
		return fmt.Errorf("日期 %s 所在年份未用 year 行声明 (year not declared)", fields[0])
	}
	kind := DayKind(fields[1])
	switch kind {
	case DayOff:
	case MakeupWorkday:
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			return fmt.Errorf("调休上班日 %s 不是周六或周日 (make-up workday must be a weekend day)", fields[0])
		}
		if provisional {
			return fmt.Errorf("暂定年份 %d 不应列出调休上班日 (provisional year has no make-up days)", d.Year())
		}
	default:
		return fmt.Errorf("类型“%s”无效，应为 holiday 或 workday (bad kind)", fields[1])
	}
	dn := dayNumber(d)
	if _, dup := c.days[dn]; dup {
		return fmt.Errorf("日期 %s 重复 (date listed twice)", fields[0])
	}
	c.days[dn] = listedDay{kind: kind, name: strings.Join(fields[2:], " ")}
	return nil
}

func (c *Calendar) hasHoliday(year int) bool {
	for dn, d := range c.days {
		if d.kind == DayOff && dayTime(dn).Year() == year {
			return true
		}
	}
	return false
}

// dayNumber returns the number of days from 1970-01-01 to the CST day t falls on.
func dayNumber(t time.Time) int64 {
	d := DayOf(t)
	return floorDiv(d.Unix()+8*3600, 86400)
}

// dayTime returns midnight CST of day number dn.
func dayTime(dn int64) time.Time {
	return time.Unix(dn*86400-8*3600, 0).In(CST)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// weekdaysBefore counts the days Monday to Friday among day numbers [4, dn)
// (negative for dn < 4); day 4 is Monday 1970-01-05.
func weekdaysBefore(dn int64) int64 {
	k := dn - 4
	weeks := floorDiv(k, 7)
	rest := k - weeks*7
	return weeks*5 + min(rest, 5)
}

func isWeekday(dn int64) bool {
	return (dn-4)-floorDiv(dn-4, 7)*7 < 5
}

// Covers reports whether the table lists the holidays of year (perhaps
// provisionally).
func (c *Calendar) Covers(year int) bool {
	if c == nil {
		return false
	}
	_, ok := c.years[year]
	return ok
}

// Provisional reports whether year is covered only provisionally: its
// statutory holiday days are listed, but the State Council's weekend swaps
// and make-up working days are not known yet.
func (c *Calendar) Provisional(year int) bool {
	return c != nil && c.years[year]
}

// Years returns the covered years in ascending order.
func (c *Calendar) Years() []int {
	if c == nil {
		return nil
	}
	ys := make([]int, 0, len(c.years))
	for y := range c.years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// Holiday returns the name of the holiday or make-up working day t's day is
// listed as, and its kind; ok is false for an ordinary day.
func (c *Calendar) Holiday(t time.Time) (name string, kind DayKind, ok bool) {
	if c == nil {
		return "", "", false
	}
	d, ok := c.days[dayNumber(t)]
	return d.name, d.kind, ok
}

// IsWorkday reports whether the day t falls on is a working day.
func (c *Calendar) IsWorkday(t time.Time) bool {
	return c.isWorkday(dayNumber(t))
}

func (c *Calendar) isWorkday(dn int64) bool {
	if c != nil {
		if d, ok := c.days[dn]; ok {
			return d.kind == MakeupWorkday
		}
	}
	return isWeekday(dn)
}

// WorkdaysUntil counts the working days after from's day up to and including
// to's day; negative when to is before from: then it is minus the working
// days after to's day up to and including from's day. Zero when both fall on
// the same day.
func (c *Calendar) WorkdaysUntil(from, to time.Time) int {
	a, b := dayNumber(from), dayNumber(to)
	if b < a {
		return -int(c.between(b, a))
	}
	return int(c.between(a, b))
}

// between counts the working days among day numbers (a, b], a ≤ b.
func (c *Calendar) between(a, b int64) int64 {
	n := weekdaysBefore(b+1) - weekdaysBefore(a+1)
	if c == nil {
		return n
	}
	lo, _ := slices.BinarySearch(c.order, a+1)
	for _, dn := range c.order[lo:] {
		if dn > b {
			break
		}
		switch weekday, kind := isWeekday(dn), c.days[dn].kind; {
		case kind == DayOff && weekday:
			n--
		case kind == MakeupWorkday && !weekday:
			n++
		}
	}
	return n
}

// AddWorkdays returns the day n working days after t's day: for n > 0 the
// n-th working day after it, for n < 0 the |n|-th working day before it, and
// for n == 0 t's day itself (working day or not). The result is midnight CST
// and, for n ≠ 0, always a working day.
func (c *Calendar) AddWorkdays(t time.Time, n int) time.Time {
	day := dayNumber(t)
	if n == 0 {
		return dayTime(day)
	}
	// Every n working days lie within this many days: at most n + listed
	// holidays weekdays, each week holding five of them.
	listed := int64(0)
	if c != nil {
		listed = int64(len(c.order))
	}
	abs := int64(n)
	if abs < 0 {
		abs = -abs
	}
	span := (abs+listed)/5*7 + 14
	if n > 0 {
		// The smallest d > day with n working days in (day, d].
		lo, hi := day+1, day+span
		for lo < hi {
			mid := lo + (hi-lo)/2
			if c.between(day, mid) >= abs {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		return dayTime(lo)
	}
	// The largest d < day with |n| working days in [d, day), i.e. in (d-1, day-1].
	lo, hi := day-span, day-1
	for lo < hi {
		mid := hi - (hi-lo)/2
		if c.between(mid-1, day-1) >= abs {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return dayTime(lo)
}
