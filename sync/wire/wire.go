// Package wire holds the JSON types and constants of the sync protocol that
// the desktop client and the central server share, and the one table that
// maps error codes to HTTP statuses and back.
package wire

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
)

// Paths of the API.
const (
	Prefix          = "/api/v1"
	LoginPath       = Prefix + "/login"
	LogoutPath      = Prefix + "/logout"
	MePath          = Prefix + "/me"
	PasswordPath    = Prefix + "/password"
	PushPath        = Prefix + "/push"
	ChangesPath     = Prefix + "/changes"
	UploadsPath     = Prefix + "/uploads/"  // tus 1.0 endpoint
	EvidencePath    = Prefix + "/evidence/" // + SHA-256: GET (Range) and HEAD
	AuditPath       = Prefix + "/audit/verify"
	AuditEventsPath = Prefix + "/audit/events" // the audit log of a period (reviewers)
	LeadsPath       = Prefix + "/leads"        // POST: import a batch of leads (service accounts)
	HealthPath      = "/healthz"
)

// Paths of user administration (reviewer administrators). One user's
// actions are under UsersPath + "/" + the user's ID + a suffix.
const (
	UsersPath          = Prefix + "/users" // POST: add a user
	UserDisabledSuffix = "/disabled"       // PUT: disable or enable the user
	UserPasswordSuffix = "/password"       // POST: set or generate a new password
)

// Limits of the protocol.
const (
	MaxBodyBytes    = 4 << 20 // a JSON request body
	MaxPushChanges  = 500     // changes in one push
	DefaultPageSize = 2000    // feed entries per page when none is asked
	MaxPageSize     = 10000
)

// Error is the body of every error answer.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[string]int{
	assess.EInvalid:      http.StatusBadRequest,
	assess.EUnauthorized: http.StatusUnauthorized,
	assess.EForbidden:    http.StatusForbidden,
	assess.ENotFound:     http.StatusNotFound,
	assess.EConflict:     http.StatusConflict,
	assess.EClosed:       http.StatusConflict,
	assess.ETooLarge:     http.StatusRequestEntityTooLarge,
	assess.ETooMany:      http.StatusTooManyRequests,
	assess.EInternal:     http.StatusInternalServerError,
	assess.EUnavailable:  http.StatusServiceUnavailable,
	assess.EMissing:      http.StatusFailedDependency,
}

// Status returns the HTTP status for an error code.
func Status(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// CodeOf returns the error code for an HTTP status when the body carried none.
func CodeOf(status int) string {
	switch status {
	case http.StatusBadRequest:
		return assess.EInvalid
	case http.StatusUnauthorized:
		return assess.EUnauthorized
	case http.StatusForbidden:
		return assess.EForbidden
	case http.StatusNotFound:
		return assess.ENotFound
	case http.StatusConflict, http.StatusPreconditionFailed:
		return assess.EConflict
	case http.StatusRequestEntityTooLarge:
		return assess.ETooLarge
	case http.StatusTooManyRequests:
		return assess.ETooMany
	case http.StatusFailedDependency:
		return assess.EMissing
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return assess.EUnavailable
	}
	return assess.EInternal
}

// LoginRequest is the body of POST /api/v1/login.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// LoginResponse answers a successful login.
type LoginResponse struct {
	Token     string      `json:"token"`
	ExpiresAt time.Time   `json:"expires_at"`
	User      assess.User `json:"user"`
}

// PasswordRequest is the body of POST /api/v1/password.
type PasswordRequest struct {
	Old string `json:"old"`
	New string `json:"new"`
}

// UserAddRequest is the body of POST /api/v1/users. An empty Password asks
// the server to generate one, which the answer carries once.
type UserAddRequest struct {
	Username string      `json:"username"`
	Name     string      `json:"name"`
	Role     assess.Role `json:"role"`
	UnitID   string      `json:"unit_id"`
	Admin    bool        `json:"admin"`
	Password string      `json:"password,omitempty"`
}

// UserAddResponse answers POST /api/v1/users: the new user and, when the
// server generated it, the initial password (never stored in clear).
type UserAddResponse struct {
	User     assess.User `json:"user"`
	Password string      `json:"password,omitempty"`
}

// UserDisabledRequest is the body of PUT /api/v1/users/{id}/disabled;
// disabling a user ends its sessions. The answer is the user.
type UserDisabledRequest struct {
	Disabled bool `json:"disabled"`
}

// UserPasswordRequest is the body of POST /api/v1/users/{id}/password. An
// empty Password asks the server to generate one. The user's sessions end.
type UserPasswordRequest struct {
	Password string `json:"password,omitempty"`
}

// UserPasswordResponse answers a password reset: the generated password,
// when the server made one.
type UserPasswordResponse struct {
	Password string `json:"password,omitempty"`
}

// Change kinds a client may push. Each carries the payload type named beside it.
const (
	KindDraftSave     = "draft.save"     // DraftSave, 填报
	KindSubmit        = "task.submit"    // Submit, 填报
	KindReturn        = "review.return"  // ReviewDecision, 审核
	KindScore         = "review.score"   // ReviewDecision, 审核
	KindRectRespond   = "rect.respond"   // RectRespond, 填报
	KindRectVerify    = "rect.verify"    // RectVerify, 审核
	KindYearSave      = "year.save"      // assess.Year, 审核 (admin)
	KindYearPublish   = "year.publish"   // YearRef, 审核 (admin)
	KindYearClose     = "year.close"     // YearRef, 审核 (admin)
	KindIndicatorSave = "indicator.save" // assess.Indicator, 审核 (admin)
	KindExternalSave  = "external.save"  // assess.ExternalScore, 审核
	KindGroupSave     = "group.save"     // assess.Group, 审核 (admin)
	KindUnitSave      = "unit.save"      // assess.Unit, 审核 (admin)

	KindMilestoneFile  = "milestone.file"  // MilestoneFile, 填报
	KindLeadImport     = "lead.import"     // LeadBatch, 审核 (the client's Excel import)
	KindLeadConsider   = "lead.consider"   // LeadDecision, 审核
	KindInspectionSave = "inspection.save" // assess.Inspection, 审核
)

// Change is one user action, made (possibly offline) on a client. ID is
// generated by the client and makes the push idempotent: the same ID with
// the same body answers the original result; with another body, 409.
type Change struct {
	ID     string          `json:"id"`
	Kind   string          `json:"kind"`
	Data   json.RawMessage `json:"data"`
	MadeAt time.Time       `json:"made_at"`
}

// DraftSave stores the unit's working draft of a task on the server, so that
// every PC of the unit sees it.
type DraftSave struct {
	TaskID      string              `json:"task_id"`
	Statement   string              `json:"statement"`
	Attachments []assess.Attachment `json:"attachments"`
}

// Submit submits a new version of a task. BaseVersion is the latest version
// the client had seen; the server refuses the submit if the task has moved on.
type Submit struct {
	TaskID      string              `json:"task_id"`
	BaseVersion int                 `json:"base_version"`
	Statement   string              `json:"statement"`
	Attachments []assess.Attachment `json:"attachments"`
}

// ReviewDecision returns or scores one submission version.
type ReviewDecision struct {
	TaskID  string  `json:"task_id"`
	Version int     `json:"version"`
	Score   float64 `json:"score,omitempty"`
	Comment string  `json:"comment"`
}

// RectRespond is the unit's answer to a rectification demand.
type RectRespond struct {
	TaskID      string              `json:"task_id"`
	Response    string              `json:"response"`
	Attachments []assess.Attachment `json:"attachments"`
}

// RectVerify is the reviewer's verification of a rectification: accepted
// closes it, otherwise it goes back to the unit.
type RectVerify struct {
	TaskID  string `json:"task_id"`
	Accept  bool   `json:"accept"`
	Comment string `json:"comment"`
}

// MilestoneFile files (or corrects) a unit's statement and evidence for one
// milestone of a task. The server's time of the first filing decides
// whether the milestone was met on time.
type MilestoneFile struct {
	TaskID      string              `json:"task_id"`
	MilestoneID string              `json:"milestone_id"`
	Statement   string              `json:"statement"`
	Attachments []assess.Attachment `json:"attachments"`
}

// LeadRecord is one lead (督察线索) as another government system sends it.
// Source and RecordID identify it: sending it again with the same content
// changes nothing; with other content it replaces the earlier one (the
// reviewer's decision on it stays).
type LeadRecord struct {
	Source        assess.LeadSource `json:"source"`    // litigation | reconsideration | petition | hotline | proposal
	RecordID      string            `json:"record_id"` // the sending system's own ID
	UnitID        string            `json:"unit_id"`   // the unit's ID in this system
	Date          string            `json:"date"`      // YYYY-MM-DD
	Summary       string            `json:"summary"`
	IndicatorCode string            `json:"indicator_code,omitempty"` // e.g. "3.2.1", when the sender knows
	YearID        string            `json:"year_id,omitempty"`        // default: the year named by the date's year
}

// LeadBatch is the body of POST /api/v1/leads and the data of a
// KindLeadImport change: at most MaxLeadBatch leads, applied all or none.
type LeadBatch struct {
	Leads []LeadRecord `json:"leads"`
}

// MaxLeadBatch bounds the leads of one batch.
const MaxLeadBatch = 1000

// Lead import outcomes, per lead.
const (
	LeadCreated   = "created"
	LeadUpdated   = "updated"
	LeadUnchanged = "unchanged"
)

// LeadResult is what an import did with one lead.
type LeadResult struct {
	ID       string `json:"id"` // the lead's ID here: source:record_id
	RecordID string `json:"record_id"`
	Status   string `json:"status"` // created | updated | unchanged
}

// LeadImportResponse answers POST /api/v1/leads: one result per lead, in
// order, and the counts.
type LeadImportResponse struct {
	Created   int          `json:"created"`
	Updated   int          `json:"updated"`
	Unchanged int          `json:"unchanged"`
	Results   []LeadResult `json:"results"`
}

// LeadDecision takes a lead into account with a deduction from the unit's
// system score, or (Considered false) withdraws that.
type LeadDecision struct {
	LeadID     string  `json:"lead_id"`
	Considered bool    `json:"considered"`
	Deduction  float64 `json:"deduction"`
	Comment    string  `json:"comment"`
}

// YearRef names a year.
type YearRef struct {
	YearID string `json:"year_id"`
}

// PushRequest is the body of POST /api/v1/push.
type PushRequest struct {
	Changes []Change `json:"changes"`
}

// Result statuses.
const (
	Applied  = "applied"
	Rejected = "rejected"
)

// Result is the server's decision on one change. A rejected change carries a
// code and a Chinese reason; Status is the HTTP status the code maps to.
type Result struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	HTTP    int    `json:"http"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	Seq     int64  `json:"seq,omitempty"` // the feed sequence of the applied change
}

// PushResponse answers a push, one result per change, in order.
type PushResponse struct {
	Results []Result `json:"results"`
}

// Entity kinds in the change feed.
const (
	EntityYear          = "year"
	EntityGroup         = "group"
	EntityUnit          = "unit"
	EntityUser          = "user"
	EntityIndicator     = "indicator"
	EntityTask          = "task"
	EntityDraft         = "draft"
	EntitySubmission    = "submission"
	EntityReview        = "review"
	EntityRectification = "rectification"
	EntityExternal      = "external"
	EntityStanding      = "standing"
	EntityMilestone     = "milestone"  // assess.MilestoneFiling
	EntityLead          = "lead"       // assess.Lead
	EntityInspection    = "inspection" // assess.Inspection
)

// Entry is one entity in the change feed: its latest state as of Seq. The
// feed keeps only the latest entry of each entity, so a first pull carries
// each record once.
type Entry struct {
	Seq     int64           `json:"seq"`
	Entity  string          `json:"entity"`
	ID      string          `json:"id"`
	UnitID  string          `json:"unit_id,omitempty"` // "" when every user may see it
	Deleted bool            `json:"deleted,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// ChangesResponse answers GET /api/v1/changes?after=N&limit=M. Next is the
// cursor to send next time; More says another page is waiting.
type ChangesResponse struct {
	Entries []Entry `json:"entries"`
	Next    int64   `json:"next"`
	More    bool    `json:"more"`
}

// AuditReport answers GET /api/v1/audit/verify.
type AuditReport struct {
	OK     bool   `json:"ok"`
	Events int64  `json:"events"`
	Head   string `json:"head"` // SHA-256 of the last event
	Error  string `json:"error,omitempty"`
}

// SystemActor is the actor of audit events that no logged-in user caused,
// such as an account made on the server's command line.
const SystemActor = "system"

// AuditEvent is one event of the server's hash-chained audit log. Hash is
// the SHA-256 over the event's other fields (Seq, Time in Unix nanoseconds,
// Actor, Action, Subject, Data and Prev), so a downloaded period can be
// checked link by link and its last Hash compared with the head that
// `yiwangtong-server verify` prints. Data never holds a password hash or a
// token.
type AuditEvent struct {
	Seq       int64           `json:"seq"`
	Time      time.Time       `json:"time"`
	Actor     string          `json:"actor"`                // a user ID, or SystemActor
	ActorName string          `json:"actor_name,omitempty"` // the user's name, when the actor is a user
	Action    string          `json:"action"`               // a change kind, or e.g. "user.add", "blob.add"
	Subject   string          `json:"subject"`              // the record the event concerns
	Data      json.RawMessage `json:"data"`
	Prev      string          `json:"prev"` // the previous event's Hash, "" for the first
	Hash      string          `json:"hash"`
}

// AuditEventsResponse answers GET /api/v1/audit/events?from=&to=&after=N&limit=M:
// the period's events after seq N in sequence order. Next is the after to
// send for the following page; More says another page is waiting.
type AuditEventsResponse struct {
	Events []AuditEvent `json:"events"`
	Next   int64        `json:"next"`
	More   bool         `json:"more"`
}

// Upload metadata keys (tus Upload-Metadata).
const (
	MetaHash     = "hash"     // lowercase hex SHA-256 the client declares
	MetaFilename = "filename" // the original file name
)
