package localdb

import (
	"context"
	"encoding/json"
	"fmt"
)

// overlay returns the server's records with the waiting changes of one kind
// laid over them in order, so that the user sees an edit at once, offline
// included. Rejected changes are not laid over: the server's version stands
// until the user acts on the rejection.
func overlay[T any](ctx context.Context, q querier, kind string, items []T, id func(T) string, keep func(T) bool) ([]T, error) {
	rows, err := outboxWhere(ctx, q, "state = 'pending' AND kind = ?", kind)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		var v T
		if err := json.Unmarshal([]byte(r.data), &v); err != nil {
			return nil, fmt.Errorf("read waiting %s %s: %w", r.kind, r.id, err)
		}
		if !keep(v) {
			continue
		}
		replaced := false
		for i := range items {
			if id(items[i]) == id(v) {
				items[i], replaced = v, true
				break
			}
		}
		if !replaced {
			items = append(items, v)
		}
	}
	return items, nil
}
