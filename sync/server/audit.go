package server

import "net/http"

// handleAudit walks the whole audit chain and reports whether every link
// holds; a broken chain is still a 200 answer whose report says why.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	report, err := s.store.VerifyAudit(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, report)
}
