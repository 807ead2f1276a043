package localdb

import (
	"context"
	"database/sql"
	"errors"
	"testing"
)

// synchronous reads the writer connection's synchronous setting (2: FULL).
func synchronous(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.w.QueryRow("PRAGMA synchronous").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestUploadBookkeeping checks the upload records, which commit without
// waiting for the disk: they are stored, and the writer connection is back
// to synchronous=FULL after each, also after a cancelled call, so that the
// user's own changes keep syncing every commit.
func TestUploadBookkeeping(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a := addFile(t, db, "纪要.pdf", "%PDF-1.7 会议纪要")
	if got := synchronous(t, db); got != 2 {
		t.Fatalf("synchronous = %d before, want 2 (FULL)", got)
	}
	if err := db.SetUploadURL(ctx, a.Hash, "http://server/api/v1/uploads/abc"); err != nil {
		t.Fatal(err)
	}
	if got := synchronous(t, db); got != 2 {
		t.Fatalf("synchronous = %d after SetUploadURL, want 2 (FULL)", got)
	}
	if u, err := db.UploadURL(ctx, a.Hash); err != nil || u != "http://server/api/v1/uploads/abc" {
		t.Fatalf("UploadURL = %q, %v", u, err)
	}
	if p, err := db.PendingUploads(ctx); err != nil || len(p) != 0 {
		t.Fatalf("nothing names the file yet: pending %v, %v", p, err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := db.MarkUploaded(cancelled, a.Hash); err == nil {
		t.Fatal("MarkUploaded with a cancelled context succeeded")
	}
	if got := synchronous(t, db); got != 2 {
		t.Fatalf("synchronous = %d after a cancelled call, want 2 (FULL)", got)
	}
	if u, _ := db.UploadURL(ctx, a.Hash); u == "" {
		t.Fatal("a cancelled MarkUploaded changed the record")
	}

	// A transaction that fails inside changes nothing and leaves FULL too.
	boom := errors.New("boom")
	err := db.writeUnsynced(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE blobs SET upload_url = 'x' WHERE hash = ?", a.Hash); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("writeUnsynced = %v, want boom", err)
	}
	if got := synchronous(t, db); got != 2 {
		t.Fatalf("synchronous = %d after a failed transaction, want 2 (FULL)", got)
	}
	if u, _ := db.UploadURL(ctx, a.Hash); u != "http://server/api/v1/uploads/abc" {
		t.Fatalf("a failed transaction changed the record: %q", u)
	}

	if err := db.MarkUploaded(ctx, a.Hash); err != nil {
		t.Fatal(err)
	}
	if got := synchronous(t, db); got != 2 {
		t.Fatalf("synchronous = %d after MarkUploaded, want 2 (FULL)", got)
	}
	var uploaded int
	var url string
	if err := db.r.QueryRow("SELECT uploaded, upload_url FROM blobs WHERE hash = ?", a.Hash).Scan(&uploaded, &url); err != nil {
		t.Fatal(err)
	}
	if uploaded != 1 || url != "" {
		t.Fatalf("after MarkUploaded: uploaded %d, upload_url %q; want 1 and none", uploaded, url)
	}

	// Both survive closing and opening the store again.
	dir := db.Dir()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if err := db2.r.QueryRow("SELECT uploaded, upload_url FROM blobs WHERE hash = ?", a.Hash).Scan(&uploaded, &url); err != nil || uploaded != 1 {
		t.Fatalf("after reopening: uploaded %d, %v", uploaded, err)
	}
}
