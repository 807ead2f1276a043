// Package server is the central server's HTTP side: the JSON API under
// /api/v1, authentication and authorisation, the change feed, tus evidence
// uploads (tusd), resumable evidence downloads and the audit report. It works
// over the Store interface; each storage engine lives in a package of its own.
package server

import (
	"context"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// Store is the authoritative record the server keeps. Every method runs in
// one transaction. Errors are *assess.Error where a user can act on them.
type Store interface {
	// User returns a user by ID.
	User(ctx context.Context, id string) (assess.User, error)
	// UserByUsername returns a user and its argon2id password hash.
	UserByUsername(ctx context.Context, username string) (assess.User, string, error)
	// AddUser creates a user with a password hash.
	AddUser(ctx context.Context, u assess.User, passwordHash string) error
	// SetPassword replaces a user's password hash and ends its sessions.
	SetPassword(ctx context.Context, userID, passwordHash string) error
	// SetDisabled disables or re-enables a user; disabling ends its sessions.
	SetDisabled(ctx context.Context, userID string, disabled bool) error

	// AddSession stores a session by the SHA-256 of its token.
	AddSession(ctx context.Context, s Session) error
	// Session returns the live session and its user for a token hash; an
	// expired session or a disabled user is EUnauthorized.
	Session(ctx context.Context, tokenHash string, now time.Time) (Session, assess.User, error)
	// DeleteSession ends a session.
	DeleteSession(ctx context.Context, tokenHash string) error

	// Push applies a batch of changes made by u, each idempotent by its
	// client ID. A change ID already used with a different body fails the
	// whole batch with EConflict before anything is applied.
	Push(ctx context.Context, u assess.User, changes []wire.Change) ([]wire.Result, error)
	// Changes returns the feed entries after the cursor that u may see.
	Changes(ctx context.Context, u assess.User, after int64, limit int) (wire.ChangesResponse, error)
	// ImportLeads applies a batch of leads sent by u (a service account, or
	// a reviewer), all or none; see wire.LeadBatch. A lead already stored
	// with the same content is unchanged; with other content it is updated
	// and keeps the reviewer's decision.
	ImportLeads(ctx context.Context, u assess.User, batch wire.LeadBatch) (wire.LeadImportResponse, error)

	// AddBlob records an evidence file whose SHA-256 the server has verified.
	AddBlob(ctx context.Context, b Blob) error
	// Blob returns a stored evidence file's record, ENotFound if none.
	Blob(ctx context.Context, hash string) (Blob, error)
	// CanReadBlob reports whether u may download the evidence file.
	CanReadBlob(ctx context.Context, u assess.User, hash string) (bool, error)

	// VerifyAudit walks the whole audit chain and checks every link.
	VerifyAudit(ctx context.Context) (wire.AuditReport, error)
	// AuditEvents returns up to limit audit events with a sequence above
	// after whose time lies in [from, to), in sequence order; a zero from or
	// to leaves that end open. ActorName is the acting user's name.
	AuditEvents(ctx context.Context, from, to time.Time, after int64, limit int) ([]wire.AuditEvent, error)
	// Backup writes a consistent copy of the database to path while serving.
	Backup(ctx context.Context, path string) error
	// Close releases the store.
	Close() error
}

// Session is a logged-in session. The token itself is never stored.
type Session struct {
	TokenHash string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
	Addr      string
}

// Blob is a verified evidence file.
type Blob struct {
	Hash       string
	Size       int64
	Name       string // the name it was first uploaded with
	UploadedBy string // user ID
	UnitID     string // the uploader's unit
	CreatedAt  time.Time
}
