package sqlite

import (
	"context"
	"fmt"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
)

// AddBlob records an evidence file whose SHA-256 the server has verified.
// Recording a file already known stores nothing new, but lets the
// uploader's unit read it.
func (s *Store) AddBlob(ctx context.Context, b server.Blob) error {
	if err := assess.ValidateHash(b.Hash); err != nil {
		return err
	}
	if b.Size < 0 {
		return assess.Errorf(assess.EInvalid, "文件大小不正确 (negative file size)")
	}
	return s.write(ctx, func(t *txn) error {
		_, found, err := t.blob(b.Hash)
		if err != nil {
			return err
		}
		actor := b.UploadedBy
		if actor == "" {
			actor = systemActor
		}
		if !found {
			if b.CreatedAt.IsZero() {
				b.CreatedAt = t.now
			}
			if _, err := t.exec(`INSERT INTO blobs (hash, size, name, uploaded_by, unit_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				b.Hash, b.Size, b.Name, b.UploadedBy, b.UnitID, nanos(b.CreatedAt)); err != nil {
				return fmt.Errorf("add blob %s: %w", b.Hash, err)
			}
			if _, err := t.grantBlob(b.Hash, b.UnitID); err != nil {
				return err
			}
			return t.audit(actor, actionBlobAdd, b.Hash, map[string]any{
				"size": b.Size, "name": b.Name, "unit_id": b.UnitID,
			})
		}
		granted, err := t.grantBlob(b.Hash, b.UnitID)
		if err != nil || !granted {
			return err
		}
		return t.audit(actor, actionBlobGrant, b.Hash, map[string]any{"name": b.Name, "unit_id": b.UnitID})
	})
}

// grantBlob lets unitID read the evidence file and reports whether that is
// new.
func (t *txn) grantBlob(hash, unitID string) (bool, error) {
	if unitID == "" {
		return false, nil
	}
	res, err := t.exec(`INSERT INTO blob_units (hash, unit_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, hash, unitID)
	if err != nil {
		return false, fmt.Errorf("grant blob %s: %w", hash, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (t *txn) blob(hash string) (server.Blob, bool, error) {
	var b server.Blob
	var created int64
	err := t.queryRow(`SELECT hash, size, name, uploaded_by, unit_id, created_at FROM blobs WHERE hash = ?`, hash).
		Scan(&b.Hash, &b.Size, &b.Name, &b.UploadedBy, &b.UnitID, &created)
	if isNoRows(err) {
		return server.Blob{}, false, nil
	}
	if err != nil {
		return server.Blob{}, false, fmt.Errorf("blob %s: %w", hash, err)
	}
	b.CreatedAt = fromNanos(created)
	return b, true, nil
}

// Blob returns a stored evidence file's record, ENotFound if none.
func (s *Store) Blob(ctx context.Context, hash string) (server.Blob, error) {
	var b server.Blob
	err := s.read(ctx, func(t *txn) error {
		var found bool
		var err error
		b, found, err = t.blob(hash)
		if err == nil && !found {
			return assess.Errorf(assess.ENotFound, "服务器上没有这份佐证材料 (no such evidence file)")
		}
		return err
	})
	return b, err
}

// CanReadBlob reports whether u may download the evidence file: reviewers
// any file the server holds, reporters a file their unit uploaded or that a
// draft, submission or rectification of their unit names.
func (s *Store) CanReadBlob(ctx context.Context, u assess.User, hash string) (bool, error) {
	var ok bool
	err := s.read(ctx, func(t *txn) error {
		user, err := t.user(u.ID)
		if assess.ErrorCode(err) == assess.ENotFound {
			return nil
		}
		if err != nil || user.Disabled {
			return err
		}
		b, found, err := t.blob(hash)
		if err != nil || !found {
			return err
		}
		switch user.Role {
		case assess.Reviewer:
			ok = true
		case assess.Reporter:
			if b.UnitID == user.UnitID {
				ok = true
				return nil
			}
			var n int
			if err := t.queryRow(`SELECT COUNT(*) FROM blob_units WHERE hash = ? AND unit_id = ?`, hash, user.UnitID).Scan(&n); err != nil {
				return fmt.Errorf("can read blob %s: %w", hash, err)
			}
			ok = n > 0
		}
		return nil
	})
	return ok, err
}

// maxAttachments bounds the evidence files of one submission, draft or
// rectification response.
const maxAttachments = 200

// checkAttachments validates attachments as a client sent them: hash, file
// name and size.
func checkAttachments(as []assess.Attachment) error {
	if len(as) > maxAttachments {
		return assess.Errorf(assess.EInvalid, "佐证材料不能超过 %d 份，请合并后再添加 (too many attachments)", maxAttachments)
	}
	for _, a := range as {
		if err := assess.ValidateHash(a.Hash); err != nil {
			return err
		}
		if err := assess.ValidateFileName(a.Name); err != nil {
			return err
		}
		if a.Size < 0 || a.Size > assess.MaxEvidenceSize {
			return assess.Errorf(assess.EInvalid, "佐证材料“%s”的大小不正确 (attachment size out of range)", a.Name)
		}
	}
	return nil
}

// requireBlobs checks that the server holds every attached file, EMissing
// naming the first that is not (the client uploads it and retries). It
// returns the attachments with the sizes the server verified.
func (t *txn) requireBlobs(as []assess.Attachment) ([]assess.Attachment, error) {
	out := make([]assess.Attachment, len(as))
	for i, a := range as {
		b, found, err := t.blob(a.Hash)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, assess.Errorf(assess.EMissing, "佐证材料“%s”尚未上传到服务器，请先上传后再同步 (evidence %s is not on the server yet: upload it, then retry)", a.Name, a.Hash)
		}
		a.Size = b.Size
		out[i] = a
	}
	return out, nil
}

// grantAttachments lets the unit read every attached file.
func (t *txn) grantAttachments(unitID string, as []assess.Attachment) error {
	for _, a := range as {
		if _, err := t.grantBlob(a.Hash, unitID); err != nil {
			return err
		}
	}
	return nil
}
