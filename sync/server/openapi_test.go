package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
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
	for _, want := range []string{"securitySchemes:", "bearer:", "Error:", "PushRequest:", "ChangesResponse:", "AuditReport:", "AuditEventsResponse:", "AuditEvent:",
		"LeadBatch:", "LeadRecord:", "LeadImportResponse:", "LeadResult:"} {
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

// schemaBlock returns the lines of one schema of an OpenAPI file's
// components, without its name line.
func schemaBlock(t *testing.T, spec []byte, name string) []string {
	t.Helper()
	var block []string
	in := false
	for line := range strings.SplitSeq(string(spec), "\n") {
		switch {
		case line == "    "+name+":":
			in = true
		case in && strings.HasPrefix(line, "      "):
			block = append(block, line)
		case in && strings.TrimSpace(line) != "":
			return block
		}
	}
	if !in {
		t.Fatalf("openapi.yaml has no schema %s", name)
	}
	return block
}

// schemaProperties returns the property names of a schema, in file order,
// and the enum of each property that has one on a single line.
func schemaProperties(t *testing.T, spec []byte, name string) ([]string, map[string]string) {
	t.Helper()
	var props []string
	enums := map[string]string{}
	for _, line := range schemaBlock(t, spec, name) {
		if p, ok := strings.CutPrefix(line, "        "); ok && !strings.HasPrefix(p, " ") && strings.HasSuffix(p, ":") {
			props = append(props, strings.TrimSuffix(p, ":"))
		}
		if e, ok := strings.CutPrefix(line, "          enum: "); ok && len(props) > 0 {
			enums[props[len(props)-1]] = e
		}
	}
	return props, enums
}

// jsonFields returns the JSON names of a struct type's fields.
func jsonFields(v any) []string {
	var out []string
	typ := reflect.TypeOf(v)
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}

// TestOpenAPILeadSchemas keeps the documented import format in step with the
// wire types another system's developers implement against.
func TestOpenAPILeadSchemas(t *testing.T) {
	e := newEnv(t)
	spec := e.do(http.MethodGet, "/api/v1/openapi.yaml", "", nil).body
	for name, v := range map[string]any{
		"LeadBatch": wire.LeadBatch{}, "LeadRecord": wire.LeadRecord{},
		"LeadImportResponse": wire.LeadImportResponse{}, "LeadResult": wire.LeadResult{},
	} {
		got, _ := schemaProperties(t, spec, name)
		if want := jsonFields(v); !slices.Equal(got, want) {
			t.Errorf("schema %s has properties %v, the wire type %v", name, got, want)
		}
	}
	_, enums := schemaProperties(t, spec, "LeadRecord")
	var sources []string
	for _, s := range assess.LeadSources {
		sources = append(sources, string(s))
	}
	if want := "[" + strings.Join(sources, ", ") + "]"; enums["source"] != want {
		t.Errorf("source enum %s, want %s", enums["source"], want)
	}
	_, enums = schemaProperties(t, spec, "LeadResult")
	if want := fmt.Sprintf("[%s, %s, %s]", wire.LeadCreated, wire.LeadUpdated, wire.LeadUnchanged); enums["status"] != want {
		t.Errorf("status enum %s, want %s", enums["status"], want)
	}
	for _, want := range []string{"maxItems: 1000", "maxLength: 2000", "maxLength: 128", "format: date"} {
		if !bytes.Contains(spec, []byte(want)) {
			t.Errorf("openapi.yaml lacks %q", want)
		}
	}
	if wire.MaxLeadBatch != 1000 || assess.MaxLeadSummaryRunes != 2000 {
		t.Errorf("limits changed: update openapi.yaml and docs/leads-import.md")
	}
}

// plainScalarErrors finds the values a YAML parser refuses or misreads:
// unquoted values holding ": " or " #", outside block scalars.
func plainScalarErrors(spec []byte) []string {
	var bad []string
	block := -1 // indentation of the key that opened a block scalar
	for i, line := range strings.Split(string(spec), "\n") {
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		if block >= 0 {
			if trimmed == "" || indent > block {
				continue
			}
			block = -1
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		item := strings.TrimPrefix(trimmed, "- ")
		key, value, ok := strings.Cut(item, ": ")
		if !ok || strings.ContainsAny(key, " '\"") && !strings.HasPrefix(key, "\"") {
			continue
		}
		value = strings.TrimSpace(value)
		switch {
		case value == "|" || value == ">" || strings.HasPrefix(value, "|") || strings.HasPrefix(value, ">"):
			block = indent
		case value == "" || strings.ContainsRune("\"'[{&*", rune(value[0])):
		case strings.Contains(value, ": ") || strings.HasSuffix(value, ":") || strings.Contains(value, " #"):
			bad = append(bad, fmt.Sprintf("line %d: %s", i+1, strings.TrimSpace(line)))
		}
	}
	return bad
}

func TestOpenAPIIsPlainYAML(t *testing.T) {
	e := newEnv(t)
	spec := e.do(http.MethodGet, "/api/v1/openapi.yaml", "", nil).body
	for _, b := range plainScalarErrors(spec) {
		t.Errorf("openapi.yaml: quote the value, YAML reads it as a mapping or a comment: %s", b)
	}
	// The check itself finds what it must.
	sample := []byte("paths:\n  /a:\n    post:\n      description: Send `Authorization: Bearer x`\n" +
		"      summary: |\n        free: text # here\n      example: 'quoted: fine'\n      note: a # comment\n")
	if got := plainScalarErrors(sample); len(got) != 2 || !strings.HasPrefix(got[0], "line 4:") || !strings.HasPrefix(got[1], "line 8:") {
		t.Errorf("plainScalarErrors found %q, want lines 4 and 8", got)
	}
}
