package server

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// handleChanges answers a page of the change feed after the caller's cursor,
// filtered by the store to what the caller may see.
func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r.Context())
	after, limit, err := pageQuery(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
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

// pageQuery reads the cursor and page size of a paged query: after is a
// non-negative sequence (0 when missing), limit a positive size capped at
// wire.MaxPageSize (wire.DefaultPageSize when missing).
func pageQuery(q url.Values) (after int64, limit int, err error) {
	limit = wire.DefaultPageSize
	if v := q.Get("after"); v != "" {
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || n < 0 {
			return 0, 0, assess.Errorf(assess.EInvalid, "参数 after 应为非负整数 (after must be a non-negative integer)")
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 {
			return 0, 0, assess.Errorf(assess.EInvalid, "参数 limit 应为正整数 (limit must be a positive integer)")
		}
		limit = min(n, wire.MaxPageSize)
	}
	return after, limit, nil
}
