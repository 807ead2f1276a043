package sqlite

import (
	"context"
	"fmt"

	"github.com/yiwangtong/yiwangtong/sync/server"
)

// Pragma returns the value of a PRAGMA on one of the store's connections.
func (s *Store) Pragma(ctx context.Context, name string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	return v, err
}

// BulkAddBlobs records many evidence files in one transaction, with their
// audit events, as AddBlob would one by one. Only benchmarks use it, to
// build a city-sized store quickly.
func (s *Store) BulkAddBlobs(ctx context.Context, blobs []server.Blob) error {
	return s.write(ctx, func(t *txn) error {
		for _, b := range blobs {
			if _, err := t.exec(`INSERT INTO blobs (hash, size, name, uploaded_by, unit_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				b.Hash, b.Size, b.Name, b.UploadedBy, b.UnitID, nanos(t.now)); err != nil {
				return fmt.Errorf("add blob %s: %w", b.Hash, err)
			}
			if _, err := t.grantBlob(b.Hash, b.UnitID); err != nil {
				return err
			}
			if err := t.audit(b.UploadedBy, actionBlobAdd, b.Hash, map[string]any{"size": b.Size, "name": b.Name, "unit_id": b.UnitID}); err != nil {
				return err
			}
		}
		return nil
	})
}
