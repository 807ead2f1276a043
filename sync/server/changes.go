package server

import (
	"net/http"
	"strconv"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// handleChanges answers a page of the change feed after the caller's cursor,
// filtered by the store to what the caller may see.
func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r.Context())
	q := r.URL.Query()
	after, limit := int64(0), wire.DefaultPageSize
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			s.writeError(w, r, assess.Errorf(assess.EInvalid, "参数 after 应为非负整数 (after must be a non-negative integer)"))
			return
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.writeError(w, r, assess.Errorf(assess.EInvalid, "参数 limit 应为正整数 (limit must be a positive integer)"))
			return
		}
		limit = min(n, wire.MaxPageSize)
	}
	page, err := s.store.Changes(r.Context(), u, after, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if page.Entries == nil {
		page.Entries = []wire.Entry{}
	}
	writeJSON(w, http.StatusOK, page)
}
