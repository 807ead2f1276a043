package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// emit records the latest state of an entity in the change feed: the old
// entry goes, a new one takes the next sequence. unitID is the unit whose
// users may see it, "" for everyone.
func (t *txn) emit(entity, id, unitID string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", entity, id, err)
	}
	return t.feed(entity, id, unitID, false, data)
}

// emitDeleted records in the feed that an entity is gone.
func (t *txn) emitDeleted(entity, id, unitID string) error {
	return t.feed(entity, id, unitID, true, nil)
}

func (t *txn) feed(entity, id, unitID string, deleted bool, data []byte) error {
	if _, err := t.exec(`DELETE FROM feed WHERE entity = ? AND entity_id = ?`, entity, id); err != nil {
		return fmt.Errorf("feed %s %s: %w", entity, id, err)
	}
	var d any
	if data != nil {
		d = string(data)
	}
	res, err := t.exec(`INSERT INTO feed (entity, entity_id, unit_id, deleted, data) VALUES (?, ?, ?, ?, ?)`,
		entity, id, unitID, boolInt(deleted), d)
	if err != nil {
		return fmt.Errorf("feed %s %s: %w", entity, id, err)
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("feed %s %s: %w", entity, id, err)
	}
	if seq > t.seq {
		t.seq = seq
	}
	return nil
}

// Changes returns the feed entries after the cursor that u may see:
// reviewers see everything, reporters the entries of their own unit and
// those meant for everyone, service accounts nothing.
func (s *Store) Changes(ctx context.Context, u assess.User, after int64, limit int) (wire.ChangesResponse, error) {
	if limit <= 0 {
		limit = wire.DefaultPageSize
	}
	if limit > wire.MaxPageSize {
		limit = wire.MaxPageSize
	}
	if after < 0 {
		after = 0
	}
	resp := wire.ChangesResponse{Entries: []wire.Entry{}, Next: after}
	err := s.read(ctx, func(t *txn) error {
		user, err := t.activeUser(u.ID)
		if err != nil {
			return err
		}
		var q string
		args := []any{after}
		switch user.Role {
		case assess.Reviewer:
			q = `SELECT seq, entity, entity_id, unit_id, deleted, data FROM feed
				WHERE seq > ? ORDER BY seq LIMIT ?`
		case assess.Reporter:
			q = `SELECT seq, entity, entity_id, unit_id, deleted, data FROM feed
				WHERE seq > ? AND unit_id IN ('', ?) ORDER BY seq LIMIT ?`
			args = append(args, user.UnitID)
		default:
			return nil
		}
		args = append(args, limit+1)
		rows, err := t.query(q, args...)
		if err != nil {
			return fmt.Errorf("changes: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			if len(resp.Entries) == limit {
				resp.More = true
				break
			}
			var e wire.Entry
			var deleted int
			var data []byte
			if err := rows.Scan(&e.Seq, &e.Entity, &e.ID, &e.UnitID, &deleted, &data); err != nil {
				return fmt.Errorf("changes: %w", err)
			}
			e.Deleted = deleted != 0
			if len(data) > 0 {
				e.Data = data
			}
			resp.Entries = append(resp.Entries, e)
			resp.Next = e.Seq
		}
		return rows.Err()
	})
	if err != nil {
		return wire.ChangesResponse{}, err
	}
	return resp, nil
}
