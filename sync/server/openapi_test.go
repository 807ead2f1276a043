package server_test

import (
	"bufio"
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// openAPIOperations reads the (method, path) pairs of an OpenAPI file's
// paths section: paths are the keys indented by two spaces, operations the
// HTTP-method keys indented by four.
func openAPIOperations(t *testing.T, spec []byte) []string {
	t.Helper()
	methods := map[string]bool{"get": true, "head": true, "post": true, "put": true, "patch": true, "delete": true, "options": true}
	var ops []string
	inPaths, path := false, ""
	sc := bufio.NewScanner(bytes.NewReader(spec))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " ")
		switch {
		case line == "" || strings.HasPrefix(strings.TrimSpace(line), "#"):
			continue
		case !strings.HasPrefix(line, " "):
			inPaths = line == "paths:"
			continue
		case !inPaths:
			continue
		case strings.HasPrefix(line, "  /") && strings.HasSuffix(line, ":") && !strings.HasPrefix(line, "   "):
			path = strings.TrimSuffix(strings.TrimSpace(line), ":")
		case strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "     ") && strings.HasSuffix(line, ":"):
			key := strings.TrimSuffix(strings.TrimSpace(line), ":")
			if methods[key] {
				ops = append(ops, strings.ToUpper(key)+" "+path)
			}
		}
	}
	slices.Sort(ops)
	return ops
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	r := e.do(http.MethodGet, "/api/v1/openapi.yaml", "", nil)
	if r.status != http.StatusOK {
		t.Fatalf("openapi.yaml: %d", r.status)
	}
	if !bytes.HasPrefix(r.body, []byte("openapi: 3.")) {
		t.Fatalf("not an OpenAPI 3 file: %.40q", r.body)
	}
	spec := openAPIOperations(t, r.body)
	var routes []string
	for _, rt := range e.srv.Routes() {
		routes = append(routes, rt.Method+" "+rt.Path())
	}
	slices.Sort(routes)
	if !slices.Equal(spec, routes) {
		for _, op := range spec {
			if !slices.Contains(routes, op) {
				t.Errorf("openapi.yaml describes %s, which is not a route", op)
			}
		}
		for _, op := range routes {
			if !slices.Contains(spec, op) {
				t.Errorf("route %s is missing from openapi.yaml", op)
			}
		}
	}
	for _, want := range []string{"securitySchemes:", "bearer:", "Error:", "PushRequest:", "ChangesResponse:", "AuditReport:", "AuditEventsResponse:", "AuditEvent:"} {
		if !bytes.Contains(r.body, []byte(want)) {
			t.Errorf("openapi.yaml lacks %s", want)
		}
	}
}

func TestOpenAPIReader(t *testing.T) {
	spec := []byte(`openapi: 3.0.3
paths:
  /a:
    parameters:
      - name: x
    get:
      summary: a
    post:
      responses:
        "200":
          description: ok
  /b/{id}:
    delete:
      summary: b
components:
  schemas:
    get:
      type: object
`)
	got := openAPIOperations(t, spec)
	want := []string{"DELETE /b/{id}", "GET /a", "POST /a"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
