package ui

import (
	"context"
	"io"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/localdb"
	"github.com/yiwangtong/yiwangtong/report/localdata"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// Store is the local store the areas read and write: the mirror of what the
// user may see, drafts, the outbox and the evidence folder. *localdb.DB
// implements it; every write is one transaction with its outbox entry.
type Store interface {
	Dir() string

	Session(ctx context.Context) (localdb.Session, error)
	SaveSession(ctx context.Context, s localdb.Session) error
	ClearSession(ctx context.Context) error
	SaveVerifier(ctx context.Context, username string, verifier []byte) error
	Verifier(ctx context.Context, username string) ([]byte, error)
	Users(ctx context.Context) ([]assess.User, error)

	Years(ctx context.Context) ([]assess.Year, error)
	SaveYear(ctx context.Context, y assess.Year) error
	PublishYear(ctx context.Context, yearID string) error
	CloseYear(ctx context.Context, yearID string) error
	Groups(ctx context.Context) ([]assess.Group, error)
	Units(ctx context.Context) ([]assess.Unit, error)
	SaveGroup(ctx context.Context, g assess.Group) error
	SaveUnit(ctx context.Context, u assess.Unit) error
	Indicators(ctx context.Context, yearID string) ([]assess.Indicator, error)
	SaveIndicator(ctx context.Context, in assess.Indicator) error
	SaveIndicators(ctx context.Context, ins []assess.Indicator) error

	Tasks(ctx context.Context, f localdb.TaskFilter) ([]localdb.TaskView, error)
	Task(ctx context.Context, id string) (localdb.TaskView, error)
	Draft(ctx context.Context, taskID string) (localdb.Draft, error)
	SaveDraft(ctx context.Context, taskID, statement string, atts []assess.Attachment) error
	Submit(ctx context.Context, taskID string) error
	Submissions(ctx context.Context, taskID string) ([]assess.Submission, error)
	Reviews(ctx context.Context, taskID string) ([]assess.Review, error)
	Return(ctx context.Context, taskID string, version int, comment string) error
	Score(ctx context.Context, taskID string, version int, score float64, comment string) error
	Rectification(ctx context.Context, taskID string) (assess.Rectification, error)
	RespondRect(ctx context.Context, taskID, response string, atts []assess.Attachment) error
	VerifyRect(ctx context.Context, taskID string, accept bool, comment string) error

	Externals(ctx context.Context, yearID string) ([]assess.ExternalScore, error)
	SaveExternal(ctx context.Context, e assess.ExternalScore) error
	SaveExternals(ctx context.Context, es []assess.ExternalScore) error
	Standings(ctx context.Context, yearID string) ([]assess.Standing, error)

	FileMilestone(ctx context.Context, taskID, milestoneID, statement string, atts []assess.Attachment) error
	MilestoneFilings(ctx context.Context, taskID string) ([]localdb.MilestoneView, error)
	YearMilestoneFilings(ctx context.Context, yearID string) (map[string]map[string]assess.MilestoneFiling, error)
	ProgressItems(ctx context.Context, yearID string) ([]assess.ProgressItem, error)
	Leads(ctx context.Context, f localdb.LeadFilter) ([]assess.Lead, error)
	ImportLeads(ctx context.Context, batch wire.LeadBatch) error
	ConsiderLead(ctx context.Context, d wire.LeadDecision) error
	Inspections(ctx context.Context, yearID, unitID string) ([]assess.Inspection, error)
	SaveInspection(ctx context.Context, in assess.Inspection) (assess.Inspection, error)

	AddEvidence(ctx context.Context, path string) (assess.Attachment, error)
	AddEvidenceReader(ctx context.Context, name string, r io.Reader) (assess.Attachment, error)
	OpenVerified(ctx context.Context, hash string) (io.ReadSeekCloser, error)
	HasBlob(ctx context.Context, hash string) (bool, error)
	UploadURL(ctx context.Context, hash string) (string, error)
	UploadStates(ctx context.Context, hashes []string) (map[string]localdb.UploadState, error)
	DataSize(ctx context.Context) (int64, error)
	ClearCache(ctx context.Context) (int64, error)

	Rejected(ctx context.Context) ([]localdb.Rejection, error)
	PendingCount(ctx context.Context) (pending, rejected int, err error)
	KeepMine(ctx context.Context, changeID string) error
	TakeServer(ctx context.Context, changeID string) error
}

// DemoCity is a demo server the client started on this PC.
type DemoCity struct {
	URL      string
	Accounts []DemoAccount
	// Store is the demo's own local store, so that trying the demo never
	// mixes with the data of a real server.
	Store Store
	Close func() error
}

// DemoAccount is one login of the demo city.
type DemoAccount struct {
	Username string
	Password string
	Role     assess.Role
	UnitID   string
}

// Deps are the concrete parts main wires into the UI.
type Deps struct {
	// Store is the local store of this PC's data folder.
	Store Store
	// Docs returns the report data source at now (feedback reports,
	// exports, imports).
	Docs func(db Store, now time.Time) localdata.Source
	// Connect returns an API client of a server address (with the CA file
	// and user agent the client uses).
	Connect func(server string) (*client.API, error)
	// Syncer returns the syncer of db over api, reporting progress.
	Syncer func(api *client.API, db Store, progress func(client.Progress)) *client.Syncer
	// Demo starts the built-in demo city; nil hides the choice.
	Demo func(ctx context.Context) (*DemoCity, error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Version is shown in 系统管理 and the about box.
	Version string
	// Server, when set, is the server address the login form offers
	// (instead of the one remembered).
	Server string
	// Manual, when true, starts no background sync loop: syncs run only
	// when asked for (SyncNow). Tests use it to stay deterministic.
	Manual bool
}

func (d Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}
