package server

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3 description of every route; a test keeps it in
// step with the route table.
//
//go:embed openapi.yaml
var openAPI []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(openAPI)
}
