package sqlite

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
)

// applyGroupSave creates or renames a ranking group.
func applyGroupSave(o *op, data json.RawMessage) error {
	var g assess.Group
	if err := decode(data, &g); err != nil {
		return err
	}
	o.subject = g.ID
	if err := checkID(g.ID, "排名分组"); err != nil {
		return err
	}
	if strings.TrimSpace(g.Name) == "" {
		return assess.Errorf(assess.EInvalid, "排名分组名称不能为空 (group name is required)")
	}
	if err := checkText(g.Name, "名称"); err != nil {
		return err
	}
	return o.putGroup(g)
}

// applyUnitSave creates or edits a unit and re-ranks its group (and, when
// it moves, its old group) in every published year.
func applyUnitSave(o *op, data json.RawMessage) error {
	var u assess.Unit
	if err := decode(data, &u); err != nil {
		return err
	}
	o.subject = u.ID
	if err := checkID(u.ID, "单位"); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := checkText(u.Name, "名称"); err != nil {
		return err
	}
	if _, found, err := o.group(u.GroupID); err != nil || !found {
		if err != nil {
			return err
		}
		return assess.Errorf(assess.EInvalid, "排名分组“%s”不存在，请先添加分组 (no such ranking group)", printable(u.GroupID))
	}
	old, found, err := o.unit(u.ID)
	if err != nil {
		return err
	}
	if err := o.putUnit(u); err != nil {
		return err
	}
	// A new unit, a new name (the last tie-break) or a new group changes
	// the standings of every published year.
	rows, err := o.query(`SELECT id FROM years WHERE state = ?`, string(assess.YearPublished))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var y string
		if err := rows.Scan(&y); err != nil {
			return err
		}
		o.dirty[standingKey{YearID: y, GroupID: u.GroupID}] = true
		if found && old.GroupID != u.GroupID {
			o.dirty[standingKey{YearID: y, GroupID: old.GroupID}] = true
		}
	}
	return rows.Err()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
