package demo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server/demo"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// The first level of the tree, as DESIGN.md names it.
var categories = []string{
	"依法全面履行政府职能",
	"完善依法行政制度体系",
	"推进行政决策科学化、民主化、法治化",
	"坚持严格规范公正文明执法",
	"强化对行政权力的制约和监督",
	"依法有效化解社会矛盾纠纷",
	"全面提高政府工作人员法治思维和依法行政能力",
	"组织保障",
}

func TestCityTree(t *testing.T) {
	// Loaded the December before: no deadline is moved.
	d := demo.City(2026, time.Date(2025, 12, 1, 9, 0, 0, 0, assess.CST))
	if errs := assess.ValidatePublish(d.Indicators); len(errs) != 0 {
		t.Fatalf("the demo tree has problems: %v", errs)
	}
	if d.Year.ID != "2026" || d.Year.State != assess.YearPublished || d.Year.Weights != assess.DefaultWeights || d.Year.Weights.Validate() != nil {
		t.Errorf("year %+v", d.Year)
	}

	units := map[string]assess.Unit{}
	for _, u := range d.Units {
		units[u.ID] = u
	}
	var cats []string
	leaves := assess.Leaves(d.Indicators)
	perCat := map[string]int{}
	total := 0.0
	months := map[time.Month]bool{}
	onlyDistricts, onlyDepartments, everyone, key := 0, 0, 0, 0
	seen := map[string]bool{}
	for _, in := range d.Indicators {
		if seen[in.ID] {
			t.Errorf("indicator ID %s twice", in.ID)
		}
		seen[in.ID] = true
		if in.ParentID != "" && !seen[in.ParentID] {
			t.Errorf("indicator %s comes before its parent", in.Code)
		}
		if in.YearID != "2026" || strings.ContainsAny(in.ID, " /#@") {
			t.Errorf("indicator %s: year %q, ID %q", in.Code, in.YearID, in.ID)
		}
		if in.ParentID == "" {
			cats = append(cats, in.Title)
			if len(in.Units) != 0 || !in.Deadline.IsZero() {
				t.Errorf("category %s should carry no units or deadline", in.Code)
			}
		}
	}
	if !slices.Equal(cats, categories) {
		t.Errorf("categories %v, want %v", cats, categories)
	}
	for _, in := range leaves {
		if in.ParentID == "" {
			t.Errorf("category %s has no indicators", in.Code)
			continue
		}
		perCat[in.Category()]++
		total += in.MaxScore
		if in.Content == "" || in.Standard == "" || in.ScoringRule == "" || in.Title == "" {
			t.Errorf("%s lacks content, standard, title or scoring rule", in.Code)
		}
		if n := len(in.Evidence); n < 2 || n > 4 || slices.Contains(in.Evidence, "") {
			t.Errorf("%s has %d evidence items: %q", in.Code, n, in.Evidence)
		}
		if in.MaxScore <= 0 || math.Abs(in.MaxScore*2-math.Round(in.MaxScore*2)) > 1e-9 {
			t.Errorf("%s max score %v is not a positive multiple of 0.5", in.Code, in.MaxScore)
		}
		if in.Deadline.Year() != 2026 || !assess.ChinaCalendar().IsWorkday(in.Deadline) || !in.Deadline.Equal(assess.DayOf(in.Deadline)) {
			t.Errorf("%s deadline %v is not a 2026 working day at midnight CST", in.Code, in.Deadline)
		}
		months[in.Deadline.Month()] = true
		groups := map[string]bool{}
		for _, id := range in.Units {
			u, ok := units[id]
			if !ok || u.GroupID == demo.GroupOffice {
				t.Errorf("%s is assigned to %q, not an assessed unit", in.Code, id)
			}
			groups[u.GroupID] = true
		}
		switch {
		case len(in.Units) == 12:
			everyone++
		case len(in.Units) == 6 && groups[demo.GroupDistricts]:
			onlyDistricts++
		case len(in.Units) == 6 && groups[demo.GroupDepartments]:
			onlyDepartments++
		default:
			t.Errorf("%s assigned to %v", in.Code, in.Units)
		}
		if in.KeyTask {
			key++
		}
	}
	if len(leaves) < 40 {
		t.Errorf("%d leaves, want 40 or more", len(leaves))
	}
	for c, n := range perCat {
		if n < 5 || n > 7 {
			t.Errorf("category %s has %d indicators, want 5–7", c, n)
		}
	}
	if math.Abs(total-100) > 1e-9 {
		t.Errorf("leaf max scores add up to %v, want 100", total)
	}
	for _, in := range d.Indicators {
		if in.ParentID != "" {
			continue
		}
		sum := 0.0
		for _, l := range leaves {
			if l.ParentID == in.ID {
				sum += l.MaxScore
			}
		}
		if math.Abs(sum-in.MaxScore) > 1e-9 {
			t.Errorf("category %s max %v, its indicators %v", in.Code, in.MaxScore, sum)
		}
	}
	if len(months) < 8 {
		t.Errorf("deadlines fall in %d months only", len(months))
	}
	if everyone < len(leaves)/2 || onlyDistricts == 0 || onlyDepartments == 0 || key == 0 {
		t.Errorf("assignment: all %d, districts %d, departments %d, key tasks %d", everyone, onlyDistricts, onlyDepartments, key)
	}
}

func TestCityUnitsAndUsers(t *testing.T) {
	d := demo.City(2026, time.Date(2026, 1, 5, 9, 0, 0, 0, assess.CST))
	groups := map[string]bool{}
	for _, g := range d.Groups {
		groups[g.ID] = true
	}
	if !groups[demo.GroupDistricts] || !groups[demo.GroupDepartments] || !groups[demo.GroupOffice] || len(groups) != 3 {
		t.Errorf("groups %v", d.Groups)
	}
	perGroup := map[string]int{}
	units := map[string]assess.Unit{}
	for _, u := range d.Units {
		if err := u.Validate(); err != nil || !groups[u.GroupID] || strings.ContainsAny(u.ID, " /#@") {
			t.Errorf("unit %+v: %v", u, err)
		}
		perGroup[u.GroupID]++
		units[u.ID] = u
	}
	if perGroup[demo.GroupDistricts] != 6 || perGroup[demo.GroupDepartments] != 6 || perGroup[demo.GroupOffice] != 1 {
		t.Errorf("units per group %v", perGroup)
	}
	for _, name := range []string{"市公安局", "市生态环境局", "市市场监管局", "市人社局", "市住建局", "市交通运输局"} {
		if !slices.ContainsFunc(d.Units, func(u assess.Unit) bool { return u.Name == name && u.GroupID == demo.GroupDepartments }) {
			t.Errorf("no department %s", name)
		}
	}

	reporters := map[string]int{}
	usernames := map[string]bool{}
	var reviewers, admins []string
	for _, u := range d.Users {
		if err := assess.ValidateUsername(u.Username); err != nil || usernames[u.Username] || u.ID == "" || u.Name == "" {
			t.Errorf("user %+v: %v", u, err)
		}
		usernames[u.Username] = true
		if _, ok := units[u.UnitID]; !ok {
			t.Errorf("user %s in unknown unit %s", u.Username, u.UnitID)
		}
		switch u.Role {
		case assess.Reviewer:
			reviewers = append(reviewers, u.Username)
			if u.UnitID != demo.OfficeUnit {
				t.Errorf("reviewer %s not in the city office", u.Username)
			}
			if u.Admin {
				admins = append(admins, u.Username)
			}
		case assess.Reporter:
			reporters[u.UnitID]++
			if u.Admin || units[u.UnitID].GroupID == demo.GroupOffice {
				t.Errorf("reporter %+v", u)
			}
		default:
			t.Errorf("user %s has role %s", u.Username, u.Role)
		}
	}
	if !slices.Equal(reviewers, []string{"shenhe1", "shenhe2"}) || len(admins) != 1 {
		t.Errorf("reviewers %v, admins %v", reviewers, admins)
	}
	for id, u := range units {
		want := 1
		if u.GroupID == demo.GroupOffice {
			want = 0
		}
		if reporters[id] != want {
			t.Errorf("unit %s has %d reporters, want %d", id, reporters[id], want)
		}
	}
}

func TestCityMovesPastDeadlines(t *testing.T) {
	cal := assess.ChinaCalendar()
	for _, now := range []time.Time{
		time.Date(2026, 7, 15, 10, 0, 0, 0, assess.CST),
		time.Date(2026, 12, 28, 10, 0, 0, 0, assess.CST),
		time.Date(2026, 3, 31, 23, 0, 0, 0, assess.CST),
	} {
		d := demo.City(2026, now)
		blue := 0
		for _, in := range assess.Leaves(d.Indicators) {
			if !in.Deadline.After(assess.DayOf(now)) {
				t.Errorf("now %s: %s due %s, not after today", now.Format(time.DateOnly), in.Code, in.Deadline.Format(time.DateOnly))
			}
			if in.Deadline.After(assess.Date(2026, 12, 31)) {
				t.Errorf("now %s: %s due %s, after the year", now.Format(time.DateOnly), in.Code, in.Deadline.Format(time.DateOnly))
			}
			if !cal.IsWorkday(in.Deadline) {
				t.Errorf("%s due on a day off", in.Code)
			}
			w := assess.TaskWarning(assess.Task{Status: assess.NotStarted}, in, nil, nil, now, cal, d.Year.WarnDays)
			if w.Level == assess.Red || w.Level == assess.Yellow {
				t.Errorf("now %s: %s warns %s: %s", now.Format(time.DateOnly), in.Code, w.Level, w.Reason)
			}
			if w.Level == assess.Blue {
				blue++
			}
		}
		if blue == 0 {
			t.Errorf("now %s: no task in the blue-warning window", now.Format(time.DateOnly))
		}
	}
	// A past year is left as it is.
	d := demo.City(2025, time.Date(2026, 7, 15, 10, 0, 0, 0, assess.CST))
	for _, in := range assess.Leaves(d.Indicators) {
		if in.Deadline.Year() != 2025 {
			t.Errorf("2025 indicator %s due %v", in.Code, in.Deadline)
		}
	}
}

// TestCityMilestones checks the demo's milestones whenever the demo is
// loaded: four indicators with two each, valid, in order, on working days,
// after today and not after their indicator's deadline; loaded before the
// year, they keep their fixed days.
func TestCityMilestones(t *testing.T) {
	cal := assess.ChinaCalendar()
	for _, now := range []time.Time{
		time.Date(2025, 12, 1, 9, 0, 0, 0, assess.CST),
		time.Date(2026, 3, 2, 9, 30, 0, 0, assess.CST),
		time.Date(2026, 3, 31, 23, 0, 0, 0, assess.CST),
		time.Date(2026, 7, 15, 10, 0, 0, 0, assess.CST),
		time.Date(2026, 12, 28, 10, 0, 0, 0, assess.CST),
	} {
		at := now.Format(time.DateOnly)
		today := assess.DayOf(now)
		d := demo.City(2026, now)
		with := map[string][]assess.Milestone{}
		for _, in := range assess.Leaves(d.Indicators) {
			if len(in.Milestones) == 0 {
				continue
			}
			with[in.Code] = in.Milestones
			if err := in.Validate(); err != nil {
				t.Errorf("now %s: %s: %v", at, in.Code, err)
			}
			for i, m := range in.Milestones {
				if m.ID != fmt.Sprintf("m%d", i+1) || m.Title == "" || !cal.IsWorkday(m.Due) || !m.Due.Equal(assess.DayOf(m.Due)) {
					t.Errorf("now %s: %s milestone %+v", at, in.Code, m)
				}
				if today.Year() == 2026 && !m.Due.After(today) || m.Due.After(in.Deadline) {
					t.Errorf("now %s: %s milestone %s due %s, not between today and the deadline %s", at, in.Code, m.ID, m.Due.Format(time.DateOnly), in.Deadline.Format(time.DateOnly))
				}
				if i > 0 && m.Due.Before(in.Milestones[i-1].Due) {
					t.Errorf("now %s: %s milestones out of order", at, in.Code)
				}
				if s := m.State(nil, now, cal); s != assess.MilestonePending {
					t.Errorf("now %s: %s milestone %s is %s on loading", at, in.Code, m.ID, s)
				}
			}
		}
		if len(with) != 4 {
			t.Errorf("now %s: %d indicators with milestones, want 4", at, len(with))
		}
		for code, ms := range with {
			if len(ms) != 2 {
				t.Errorf("now %s: %s has %d milestones, want 2", at, code, len(ms))
			}
		}
		if now.Year() == 2025 {
			if ms := with["1.1"]; len(ms) != 2 || !ms[0].Due.Equal(assess.Date(2026, 3, 31)) || !ms[1].Due.Equal(assess.Date(2026, 5, 29)) {
				t.Errorf("loaded before the year, 1.1's milestones %+v, want 31 March and 29 May", ms)
			}
		}
	}
}

func TestPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		pw, err := demo.Password()
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != 12 || assess.ValidatePassword(pw) != nil || strings.ContainsAny(pw, "0Oo1lI") || seen[pw] {
			t.Fatalf("password %q", pw)
		}
		for _, c := range pw {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '2' && c <= '9') {
				t.Fatalf("password %q has %q", pw, c)
			}
		}
		seen[pw] = true
	}
}

func TestStartServesAndRestarts(t *testing.T) {
	dir := tempDir(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, assess.CST)
	s, err := demo.Start(context.Background(), dir, 2026, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := s.Credentials
	res, err := http.Get(s.URL + wire.HealthPath)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("health: %s", res.Status)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A second start keeps the seeded city and its accounts.
	s, err = demo.Start(context.Background(), dir, 2026, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !reflect.DeepEqual(s.Credentials, first) {
		t.Fatalf("accounts changed across a restart")
	}
	c, ok := s.Credential(first[0].Username)
	if !ok || c.Password != first[0].Password {
		t.Fatalf("Credential(%q) = %+v, %v", first[0].Username, c, ok)
	}
	body := strings.NewReader(`{"username":"` + c.Username + `","password":"` + c.Password + `"}`)
	res, err = http.Post(s.URL+wire.LoginPath, "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	var login wire.LoginResponse
	err = json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("login after restart: %s, %v", res.Status, err)
	}

	// The city's records carry the demo's time, not the machine's.
	req, err := http.NewRequest(http.MethodGet, s.URL+wire.ChangesPath+"?limit=1000", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+login.Token)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page wire.ChangesResponse
	err = json.NewDecoder(res.Body).Decode(&page)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	tasks := 0
	for _, e := range page.Entries {
		if e.Entity != wire.EntityTask {
			continue
		}
		var task assess.Task
		if err := json.Unmarshal(e.Data, &task); err != nil {
			t.Fatal(err)
		}
		if task.UpdatedAt.Before(now) || task.UpdatedAt.After(now.Add(time.Hour)) {
			t.Fatalf("task %s updated at %v, want the demo's time %v", task.ID, task.UpdatedAt, now)
		}
		tasks++
	}
	if tasks == 0 {
		t.Fatal("no task in the admin's first page")
	}
}
