// Package storetest is the contract every engine of server.Store must meet:
// one suite of tests, run against each engine with real databases, covering
// accounts, the business rules of a push, idempotency, optimistic
// concurrency, the change feed and its visibility, rectifications,
// standings, evidence records, the audit chain and its listing, milestone
// filings, lead imports and deductions, inspections and versioned external
// scores.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// Opener opens a fresh, empty store for one test, on the given clock. It
// registers the store's clean-up with t.
type Opener func(t *testing.T, now func() time.Time) server.Store

// Run runs the whole contract suite against the engine open returns.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"Accounts", testAccounts},
		{"Sessions", testSessions},
		{"PushIdempotent", testPushIdempotent},
		{"PushReusedID", testPushReusedID},
		{"PushMissingEvidenceRetry", testPushMissingEvidenceRetry},
		{"PushRejectsAlone", testPushRejectsAlone},
		{"Rules", testRules},
		{"TaskLifecycle", testTaskLifecycle},
		{"ClosedYear", testClosedYear},
		{"IndicatorAssignment", testIndicatorAssignment},
		{"ConcurrentScoring", testConcurrentScoring},
		{"FeedVisibility", testFeedVisibility},
		{"FeedPaging", testFeedPaging},
		{"Rectification", testRectification},
		{"Standings", testStandings},
		{"Blobs", testBlobs},
		{"Audit", testAudit},
		{"AuditEvents", testAuditEvents},
		{"Milestones", testMilestones},
		{"LeadImport", testLeadImport},
		{"LeadDeduction", testLeadDeduction},
		{"Inspections", testInspections},
		{"ExternalVersions", testExternalVersions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// Clock is a settable clock for stores under test. It is safe for
// concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Start is the time every test store starts at: a Monday morning in March
// 2026, China Standard Time.
var Start = time.Date(2026, 3, 2, 9, 0, 0, 0, assess.CST)

// IDs of the fixture city.
const (
	YearID     = "2026"
	GroupDist  = "district"
	GroupDept  = "dept"
	UnitA      = "zhangdian" // district
	UnitB      = "zichuan"   // district
	UnitC      = "sfj"       // department
	CityOffice = "city"      // the reviewers' unit (not assessed)
	Category1  = "ind-1"
	Leaf11     = "ind-1-1" // max 10, assigned to A, B, C
	Leaf12     = "ind-1-2" // max 20, assigned to A, B
)

// City is a store seeded with a small published year: two ranking groups,
// three units, an indicator category with two leaves, reviewers (one an
// admin), a reporter for each of A and B, and a service account.
type City struct {
	T     testing.TB
	S     server.Store
	Clock *Clock
	Ctx   context.Context

	Admin, Reviewer, Reviewer2 assess.User
	ReporterA, ReporterB, Svc  assess.User
	Year                       assess.Year
	Leaf11, Leaf12             assess.Indicator

	// Blobs counts the evidence files Blob has recorded (each an audit
	// event).
	Blobs int

	n  int // change and blob counter
	mu sync.Mutex
}

// NewCity opens a store and seeds the fixture city, publishing the year
// when publish is set.
func NewCity(t *testing.T, open Opener, publish bool) *City {
	t.Helper()
	clock := NewClock(Start)
	return SeedCity(t, open(t, clock.Now), clock, publish)
}

// SeedCity seeds the fixture city into an empty store running on clock.
func SeedCity(tb testing.TB, s server.Store, clock *Clock, publish bool) *City {
	tb.Helper()
	c := &City{T: tb, S: s, Clock: clock, Ctx: context.Background()}
	c.Admin = c.AddUser("admin", assess.Reviewer, CityOffice, true)
	c.Reviewer = c.AddUser("reviewer1", assess.Reviewer, CityOffice, false)
	c.Reviewer2 = c.AddUser("reviewer2", assess.Reviewer, CityOffice, false)
	c.Svc = c.AddUser("import", assess.Service, CityOffice, false)

	c.Apply(c.Admin, wire.KindGroupSave, assess.Group{ID: GroupDist, Name: "区县"})
	c.Apply(c.Admin, wire.KindGroupSave, assess.Group{ID: GroupDept, Name: "市直部门"})
	c.Apply(c.Admin, wire.KindUnitSave, assess.Unit{ID: UnitA, Name: "张店区", GroupID: GroupDist})
	c.Apply(c.Admin, wire.KindUnitSave, assess.Unit{ID: UnitB, Name: "淄川区", GroupID: GroupDist})
	c.Apply(c.Admin, wire.KindUnitSave, assess.Unit{ID: UnitC, Name: "市司法局", GroupID: GroupDept})
	c.ReporterA = c.AddUser("zd-filer", assess.Reporter, UnitA, false)
	c.ReporterB = c.AddUser("zc-filer", assess.Reporter, UnitB, false)

	c.Year = assess.Year{ID: YearID, Name: "2026年度", Weights: assess.DefaultWeights, RectifyDays: 10, WarnDays: 5}
	c.Apply(c.Admin, wire.KindYearSave, c.Year)
	c.Year.State = assess.YearDraft
	c.Apply(c.Admin, wire.KindIndicatorSave, assess.Indicator{ID: Category1, YearID: YearID, Code: "1", Title: "依法全面履行政府职能", MaxScore: 30})
	c.Leaf11 = assess.Indicator{ID: Leaf11, YearID: YearID, ParentID: Category1, Code: "1.1", Title: "权责清单动态调整",
		Standard: "按时公布并动态调整权责清单", Evidence: []string{"文件", "公开网页截图"}, MaxScore: 10, Units: []string{UnitA, UnitB, UnitC}}
	c.Leaf12 = assess.Indicator{ID: Leaf12, YearID: YearID, ParentID: Category1, Code: "1.2", Title: "优化营商环境",
		MaxScore: 20, LowScore: 15, Units: []string{UnitA, UnitB}}
	c.Apply(c.Admin, wire.KindIndicatorSave, c.Leaf11)
	c.Apply(c.Admin, wire.KindIndicatorSave, c.Leaf12)
	if publish {
		c.Apply(c.Admin, wire.KindYearPublish, wire.YearRef{YearID: YearID})
		c.Year.State = assess.YearPublished
	}
	return c
}

// AddUser adds an account with a placeholder password hash.
func (c *City) AddUser(username string, role assess.Role, unit string, admin bool) assess.User {
	c.T.Helper()
	u := assess.User{ID: "u-" + username, Username: username, Name: username, Role: role, UnitID: unit, Admin: admin}
	if err := c.S.AddUser(c.Ctx, u, "$argon2id$v=19$m=47104,t=1,p=1$c2FsdA$"+username); err != nil {
		c.T.Fatalf("add user %s: %v", username, err)
	}
	return u
}

// NextID returns a fresh change ID.
func (c *City) NextID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return fmt.Sprintf("chg-%04d", c.n)
}

// Change builds a change of the given kind with a fresh ID; data is encoded
// as JSON unless it is a json.RawMessage, which is sent as it is.
func (c *City) Change(kind string, data any) wire.Change {
	c.T.Helper()
	b, ok := data.(json.RawMessage)
	if !ok {
		var err error
		if b, err = json.Marshal(data); err != nil {
			c.T.Fatal(err)
		}
	}
	return wire.Change{ID: c.NextID(), Kind: kind, Data: b, MadeAt: c.Clock.Now()}
}

// PushOne pushes one change and returns its result; a failed call fails the
// test.
func (c *City) PushOne(u assess.User, ch wire.Change) wire.Result {
	c.T.Helper()
	rs, err := c.S.Push(c.Ctx, u, []wire.Change{ch})
	if err != nil {
		c.T.Fatalf("push %s: %v", ch.Kind, err)
	}
	if len(rs) != 1 || rs[0].ID != ch.ID {
		c.T.Fatalf("push %s: results %+v, want one for %s", ch.Kind, rs, ch.ID)
	}
	return rs[0]
}

// Push pushes a change of the given kind and returns its result.
func (c *City) Push(u assess.User, kind string, data any) wire.Result {
	c.T.Helper()
	return c.PushOne(u, c.Change(kind, data))
}

// Apply pushes a change that must be applied.
func (c *City) Apply(u assess.User, kind string, data any) wire.Result {
	c.T.Helper()
	r := c.Push(u, kind, data)
	if r.Status != wire.Applied || r.HTTP != 200 || r.Code != "" || r.Seq <= 0 {
		c.T.Fatalf("%s by %s: %+v, want applied with a feed sequence", kind, u.Username, r)
	}
	return r
}

// Reject pushes a change that must be rejected with code.
func (c *City) Reject(u assess.User, kind string, data any, code string) wire.Result {
	c.T.Helper()
	r := c.Push(u, kind, data)
	CheckRejected(c.T, r, code)
	return r
}

// CheckRejected fails the test unless r is a rejection with code, the HTTP
// status of that code and a message in Chinese with an English gloss.
func CheckRejected(t testing.TB, r wire.Result, code string) {
	t.Helper()
	if r.Status != wire.Rejected || r.Code != code || r.HTTP != wire.Status(code) {
		t.Fatalf("result %+v, want rejected with %s (HTTP %d)", r, code, wire.Status(code))
	}
	if !hasChinese(r.Message) || !hasEnglishGloss(r.Message) {
		t.Fatalf("message %q: want Chinese first with the English in parentheses", r.Message)
	}
}

func hasChinese(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

func hasEnglishGloss(s string) bool {
	open := -1
	for i, r := range s {
		if r == '(' {
			open = i
		}
		if r == ')' && open >= 0 {
			return true
		}
	}
	return false
}

// Blob records an evidence file uploaded by u and returns an attachment
// naming it.
func (c *City) Blob(u assess.User) assess.Attachment {
	c.T.Helper()
	c.mu.Lock()
	c.n++
	c.Blobs++
	n := c.n
	c.mu.Unlock()
	sum := sha256.Sum256(fmt.Appendf(nil, "evidence %d", n))
	hash := hex.EncodeToString(sum[:])
	name := fmt.Sprintf("会议纪要%d.pdf", n)
	if err := c.S.AddBlob(c.Ctx, server.Blob{Hash: hash, Size: int64(1000 + n), Name: name, UploadedBy: u.ID, UnitID: u.UnitID, CreatedAt: c.Clock.Now()}); err != nil {
		c.T.Fatalf("add blob: %v", err)
	}
	return assess.Attachment{Hash: hash, Name: name, Size: int64(1000 + n), Slot: 0}
}

// UnknownBlob returns an attachment naming a file the server does not hold.
func (c *City) UnknownBlob() assess.Attachment {
	c.mu.Lock()
	c.n++
	n := c.n
	c.mu.Unlock()
	sum := sha256.Sum256(fmt.Appendf(nil, "never uploaded %d", n))
	return assess.Attachment{Hash: hex.EncodeToString(sum[:]), Name: fmt.Sprintf("照片%d.jpg", n), Size: 10, Slot: -1}
}

// Submit submits version base+1 of a task for reporter u with one fresh
// evidence file.
func (c *City) Submit(u assess.User, taskID string, base int) wire.Result {
	c.T.Helper()
	return c.Apply(u, wire.KindSubmit, wire.Submit{TaskID: taskID, BaseVersion: base,
		Statement: "已按要求公布权责清单并动态调整。", Attachments: []assess.Attachment{c.Blob(u)}})
}

// Task returns the ID of the task of indicator in unit.
func Task(indicator, unit string) string { return assess.TaskID(indicator, unit) }

// PullAll pulls u's whole feed from after in pages of limit and returns the
// entries and the final cursor, checking the paging contract on the way.
func (c *City) PullAll(u assess.User, after int64, limit int) ([]wire.Entry, int64) {
	c.T.Helper()
	var all []wire.Entry
	for range 100000 {
		page, err := c.S.Changes(c.Ctx, u, after, limit)
		if err != nil {
			c.T.Fatalf("changes after %d: %v", after, err)
		}
		last := after
		for _, e := range page.Entries {
			if e.Seq <= last {
				c.T.Fatalf("feed sequence not increasing: %d after %d", e.Seq, last)
			}
			last = e.Seq
		}
		if page.Next != last {
			c.T.Fatalf("next = %d, want the last sequence returned %d", page.Next, last)
		}
		if limit > 0 && len(page.Entries) > limit {
			c.T.Fatalf("page of %d entries, limit %d", len(page.Entries), limit)
		}
		all = append(all, page.Entries...)
		after = page.Next
		if !page.More {
			return all, after
		}
		if len(page.Entries) == 0 {
			c.T.Fatal("more = true on an empty page")
		}
	}
	c.T.Fatal("the feed never ended")
	return nil, 0
}

// Latest returns the state of every entity u can see, keyed by entity and
// ID, as a client that pulled everything would hold it.
func (c *City) Latest(u assess.User) map[string]wire.Entry {
	c.T.Helper()
	entries, _ := c.PullAll(u, 0, 0)
	m := map[string]wire.Entry{}
	for _, e := range entries {
		k := e.Entity + " " + e.ID
		if _, dup := m[k]; dup {
			c.T.Fatalf("the feed holds %s twice", k)
		}
		m[k] = e
	}
	return m
}

// Entity decodes the latest state of one entity as u sees it; false when u
// does not see it.
func Entity[T any](c *City, u assess.User, entity, id string) (T, bool) {
	c.T.Helper()
	var v T
	e, ok := c.Latest(u)[entity+" "+id]
	if !ok || e.Deleted {
		return v, false
	}
	if err := json.Unmarshal(e.Data, &v); err != nil {
		c.T.Fatalf("decode %s %s: %v", entity, id, err)
	}
	return v, true
}

// MustEntity is Entity for an entity that must be visible.
func MustEntity[T any](c *City, u assess.User, entity, id string) T {
	c.T.Helper()
	v, ok := Entity[T](c, u, entity, id)
	if !ok {
		c.T.Fatalf("%s %s is not in %s's feed", entity, id, u.Username)
	}
	return v
}

// AuditEvents returns the number of events in a verified audit chain.
func (c *City) AuditEvents() int64 {
	c.T.Helper()
	rep, err := c.S.VerifyAudit(c.Ctx)
	if err != nil {
		c.T.Fatalf("verify audit: %v", err)
	}
	if !rep.OK || rep.Error != "" {
		c.T.Fatalf("audit chain does not verify: %+v", rep)
	}
	return rep.Events
}

// blobOf returns the evidence record of an attachment uploaded by u.
func blobOf(a assess.Attachment, u assess.User) server.Blob {
	return server.Blob{Hash: a.Hash, Size: a.Size, Name: a.Name, UploadedBy: u.ID, UnitID: u.UnitID}
}
