package server

import (
	"io"
	"net/http"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// DecodePush reads a push request strictly (see decodeStrict): a "changes"
// array of at most wire.MaxPushChanges changes. Whether each change is
// well formed and allowed is the store's to judge, change by change, so
// that one bad change is rejected alone instead of blocking a client's
// whole outbox.
func DecodePush(rd io.Reader) (wire.PushRequest, error) {
	var req wire.PushRequest
	if err := decodeStrict(rd, &req); err != nil {
		return wire.PushRequest{}, err
	}
	if req.Changes == nil {
		return wire.PushRequest{}, assess.Errorf(assess.EInvalid, "请求缺少 changes 数组 (the changes array is required)")
	}
	if len(req.Changes) > wire.MaxPushChanges {
		return wire.PushRequest{}, assess.Errorf(assess.ETooLarge, "一次最多提交 %d 项更改，本次有 %d 项，请分批提交 (too many changes in one push)", wire.MaxPushChanges, len(req.Changes))
	}
	return req, nil
}

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r.Context())
	req, err := DecodePush(http.MaxBytesReader(w, r.Body, wire.MaxBodyBytes))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var results []wire.Result
	if len(req.Changes) > 0 {
		if results, err = s.store.Push(r.Context(), u, req.Changes); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if results == nil {
		results = []wire.Result{}
	}
	writeJSON(w, http.StatusOK, wire.PushResponse{Results: results})
}
