package localdb

import (
	"context"
	"strings"
	"testing"
)

// TestUploadStates follows a file from added (待上传) through a started
// upload to uploaded, next to a file this PC only knows by its hash.
func TestUploadStates(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a := addFile(t, db, "纪要.pdf", "%PDF-1.7 会议纪要")
	b := addFile(t, db, "照片.png", "\x89PNG 现场照片")
	remote := strings.Repeat("ab", 32)

	check := func(when string, want map[string]UploadState) {
		t.Helper()
		got, err := db.UploadStates(ctx, []string{a.Hash, b.Hash, remote})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, when, got, want)
	}
	check("added", map[string]UploadState{a.Hash: UploadWaiting, b.Hash: UploadWaiting, remote: UploadRemote})

	if err := db.SetUploadURL(ctx, a.Hash, "http://server/api/v1/uploads/abc"); err != nil {
		t.Fatal(err)
	}
	check("started", map[string]UploadState{a.Hash: UploadStarted, b.Hash: UploadWaiting, remote: UploadRemote})

	if err := db.MarkUploaded(ctx, a.Hash); err != nil {
		t.Fatal(err)
	}
	check("uploaded", map[string]UploadState{a.Hash: UploadDone, b.Hash: UploadWaiting, remote: UploadRemote})

	// Adding the same content again does not forget that it is uploaded.
	addFile(t, db, "纪要副本.pdf", "%PDF-1.7 会议纪要")
	check("added again", map[string]UploadState{a.Hash: UploadDone, b.Hash: UploadWaiting, remote: UploadRemote})

	got, err := db.UploadStates(ctx, nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("no hashes: %v, %v", got, err)
	}
}
