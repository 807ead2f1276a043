package localdb

import (
	"context"
	"encoding/json"
	"fmt"
)

// UploadState is where an evidence file stands between this PC and the
// server.
type UploadState string

// Upload states, as the filing screen shows them.
const (
	// UploadWaiting: the file is on this PC only; the next sync uploads it
	// (待上传).
	UploadWaiting UploadState = "waiting"
	// UploadStarted: part of the file reached the server; the next sync
	// resumes at its offset (上传中).
	UploadStarted UploadState = "started"
	// UploadDone: the server holds the file (已上传).
	UploadDone UploadState = "uploaded"
	// UploadRemote: the file is not on this PC; it is known from the server
	// (a draft saved on another PC, an earlier submission), which holds it.
	UploadRemote UploadState = "remote"
)

// UploadStates returns the upload state of each of the files named by
// hashes, in one read. A file the evidence folder has no record of is
// UploadRemote.
func (db *DB) UploadStates(ctx context.Context, hashes []string) (map[string]UploadState, error) {
	out := make(map[string]UploadState, len(hashes))
	if len(hashes) == 0 {
		return out, nil
	}
	for _, h := range hashes {
		out[h] = UploadRemote
	}
	list, err := json.Marshal(hashes)
	if err != nil {
		return nil, fmt.Errorf("upload states: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT hash, uploaded, upload_url FROM blobs
		WHERE hash IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, fmt.Errorf("upload states: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var hash, url string
		var uploaded bool
		if err := rows.Scan(&hash, &uploaded, &url); err != nil {
			return nil, fmt.Errorf("upload states: %w", err)
		}
		switch {
		case uploaded:
			out[hash] = UploadDone
		case url != "":
			out[hash] = UploadStarted
		default:
			out[hash] = UploadWaiting
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("upload states: %w", err)
	}
	return out, nil
}
