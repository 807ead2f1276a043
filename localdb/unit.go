package localdb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// Groups returns the ranking groups, with waiting edits laid over them.
func (db *DB) Groups(ctx context.Context) ([]assess.Group, error) {
	var out []assess.Group
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id, name FROM ranking_groups")
		if err != nil {
			return fmt.Errorf("read groups: %w", err)
		}
		defer rows.Close()
		var gs []assess.Group
		for rows.Next() {
			var g assess.Group
			if err := rows.Scan(&g.ID, &g.Name); err != nil {
				return fmt.Errorf("read groups: %w", err)
			}
			gs = append(gs, g)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read groups: %w", err)
		}
		out, err = overlay(ctx, tx, wire.KindGroupSave, gs,
			func(g assess.Group) string { return g.ID }, func(assess.Group) bool { return true })
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

// Units returns the units, with waiting edits laid over them, ordered by
// group and name.
func (db *DB) Units(ctx context.Context) ([]assess.Unit, error) {
	var out []assess.Unit
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id, name, group_id FROM units")
		if err != nil {
			return fmt.Errorf("read units: %w", err)
		}
		defer rows.Close()
		var us []assess.Unit
		for rows.Next() {
			var u assess.Unit
			if err := rows.Scan(&u.ID, &u.Name, &u.GroupID); err != nil {
				return fmt.Errorf("read units: %w", err)
			}
			us = append(us, u)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read units: %w", err)
		}
		out, err = overlay(ctx, tx, wire.KindUnitSave, us,
			func(u assess.Unit) string { return u.ID }, func(assess.Unit) bool { return true })
		return err
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].GroupID != out[j].GroupID {
			return out[i].GroupID < out[j].GroupID
		}
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}

// SaveGroup queues a new or renamed ranking group (administrators).
func (db *DB) SaveGroup(ctx context.Context, g assess.Group) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := db.saveGroupTx(ctx, tx, g)
		return err
	})
}

func (db *DB) saveGroupTx(ctx context.Context, tx *sql.Tx, g assess.Group) (string, error) {
	if err := admin(ctx, tx); err != nil {
		return "", err
	}
	switch {
	case strings.TrimSpace(g.ID) == "":
		return "", assess.Errorf(assess.EInvalid, "排名分组编号不能为空 (group ID is required)")
	case strings.TrimSpace(g.Name) == "":
		return "", assess.Errorf(assess.EInvalid, "排名分组名称不能为空，例如“区县”或“市直部门” (group name is required)")
	}
	return db.queue(ctx, tx, wire.KindGroupSave, g.ID, g)
}

// SaveUnit queues a new or changed unit (administrators).
func (db *DB) SaveUnit(ctx context.Context, u assess.Unit) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := db.saveUnitTx(ctx, tx, u)
		return err
	})
}

func (db *DB) saveUnitTx(ctx context.Context, tx *sql.Tx, u assess.Unit) (string, error) {
	if err := admin(ctx, tx); err != nil {
		return "", err
	}
	if err := u.Validate(); err != nil {
		return "", err
	}
	return db.queue(ctx, tx, wire.KindUnitSave, u.ID, u)
}
