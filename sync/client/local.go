package client

import (
	"context"
	"io"

	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// Local is the client's own store as the syncer needs it; localdb.DB
// implements it. Every method that changes something runs in one
// transaction.
type Local interface {
	// Pending returns up to limit outbox changes still to be pushed, oldest
	// first.
	Pending(ctx context.Context, limit int) ([]wire.Change, error)
	// RecordResults stores the server's decisions: an applied change leaves
	// the outbox; a rejected one stays, marked with its code and reason, until
	// the user resolves it. Results with a retryable code (EMissing,
	// EUnavailable, EInternal) leave the change pending.
	RecordResults(ctx context.Context, results []wire.Result) error
	// Cursor returns the feed sequence pulled so far.
	Cursor(ctx context.Context) (int64, error)
	// ApplyPage stores a page of feed entries and its Next cursor in one
	// transaction.
	ApplyPage(ctx context.Context, page wire.ChangesResponse) error

	// PendingUploads returns the evidence files that pending changes name and
	// that are not known to be on the server yet.
	PendingUploads(ctx context.Context) ([]LocalBlob, error)
	// OpenBlob opens a stored evidence file, verifying nothing; the uploader
	// hashes as it sends.
	OpenBlob(ctx context.Context, hash string) (io.ReadSeekCloser, error)
	// UploadURL returns the tus upload URL remembered for a file, "" if none.
	UploadURL(ctx context.Context, hash string) (string, error)
	// SetUploadURL remembers (or, with "", forgets) the tus upload URL of a file.
	SetUploadURL(ctx context.Context, hash, url string) error
	// MarkUploaded records that the server holds the file and forgets its
	// upload URL.
	MarkUploaded(ctx context.Context, hash string) error

	// HasBlob reports whether the evidence file is in the local store.
	HasBlob(ctx context.Context, hash string) (bool, error)
	// PartialPath returns the path of the partial download of a file; it may
	// already hold a prefix from an earlier, interrupted download.
	PartialPath(hash string) string
	// CommitPartial verifies the partial download's SHA-256 and moves it into
	// the store; on a mismatch it removes the partial file and fails.
	CommitPartial(ctx context.Context, hash string) error
}

// LocalBlob is an evidence file in the local store.
type LocalBlob struct {
	Hash string
	Name string
	Size int64
}
