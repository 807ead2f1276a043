package server_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// The callers of the access-control table, in column order.
var callers = []string{"own", "other", "reviewer", "anonymous", "disabled", "service"}

// callerAccount is the account each caller logs in as; the task, the
// upload and the evidence file of the table all belong to unit A.
var callerAccount = map[string]string{
	"own":      "rep-a",
	"other":    "rep-b",
	"reviewer": "reviewer",
	"disabled": "gone",
	"service":  "svc",
}

// accessRow is one route of the table: build makes the request for a caller,
// status reads the status that counts (for a push, the change's own).
type accessRow struct {
	build  func(e *env, caller string) *http.Request
	status func(e *env, r response) int
	want   [6]int // by callers
}

func TestAccessControl(t *testing.T) {
	e := newEnv(t)
	// Tokens for every caller; the disabled user logs in while still active.
	tokens := map[string]string{"anonymous": ""}
	for caller, username := range callerAccount {
		tokens[caller] = e.login(username)
	}
	evidence := pdf(3000, 1)
	hash := e.upload("rep-a", "权责清单.pdf", evidence)
	gone, _, err := e.store.UserByUsername(context.Background(), "gone")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetDisabled(context.Background(), gone.ID, true); err != nil {
		t.Fatal(err)
	}

	plain := func(method, path string, body any) func(*env, string) *http.Request {
		return func(e *env, caller string) *http.Request {
			var buf bytes.Buffer
			if body != nil {
				fmt.Fprint(&buf, body)
			}
			req, _ := http.NewRequest(method, e.url(path), &buf)
			return req
		}
	}
	// tusOn makes a request on a fresh upload that rep-a created.
	tusOn := func(method string) func(*env, string) *http.Request {
		return func(e *env, caller string) *http.Request {
			data := pdf(2000, byte(len(caller)))
			loc := e.startUpload(tokens["own"], "台账.pdf", data)
			var req *http.Request
			if method == http.MethodPatch {
				req, _ = http.NewRequest(method, loc, bytes.NewReader(data[:100]))
				req.Header.Set("Content-Type", "application/offset+octet-stream")
				req.Header.Set("Upload-Offset", "0")
			} else {
				req, _ = http.NewRequest(method, loc, nil)
			}
			req.Header.Set("Tus-Resumable", "1.0.0")
			return req
		}
	}
	status := func(_ *env, r response) int { return r.status }
	pushStatus := func(e *env, r response) int {
		if r.status != http.StatusOK {
			return r.status
		}
		var pr wire.PushResponse
		r.decode(e.t, &pr)
		if len(pr.Results) != 1 {
			e.t.Fatalf("push: %d results", len(pr.Results))
		}
		return pr.Results[0].HTTP
	}
	// secretStatus notes a generated password, so that the log check
	// proves it never reached the log.
	secretStatus := func(e *env, r response) int {
		if r.status < 300 {
			var g struct {
				Password string `json:"password"`
			}
			r.decode(e.t, &g)
			if g.Password == "" {
				e.t.Errorf("no generated password in %s", r.body)
			}
			e.secrets = append(e.secrets, g.Password)
		}
		return r.status
	}
	n := 0
	rows := map[string]accessRow{
		"GET /healthz":                 {plain(http.MethodGet, wire.HealthPath, nil), status, [6]int{200, 200, 200, 200, 200, 200}},
		"GET /api/v1/openapi.yaml":     {plain(http.MethodGet, "/api/v1/openapi.yaml", nil), status, [6]int{200, 200, 200, 200, 200, 200}},
		"POST /api/v1/logout":          {plain(http.MethodPost, wire.LogoutPath, nil), status, [6]int{204, 204, 204, 401, 401, 204}},
		"GET /api/v1/me":               {plain(http.MethodGet, wire.MePath, nil), status, [6]int{200, 200, 200, 401, 401, 200}},
		"GET /api/v1/changes":          {plain(http.MethodGet, wire.ChangesPath+"?after=0&limit=50", nil), status, [6]int{200, 200, 200, 401, 401, 403}},
		"GET /api/v1/audit/verify":     {plain(http.MethodGet, wire.AuditPath, nil), status, [6]int{403, 403, 200, 401, 401, 403}},
		"GET /api/v1/audit/events":     {plain(http.MethodGet, wire.AuditEventsPath+"?from=2026-03-01&to=2026-03-31&after=0&limit=50", nil), status, [6]int{403, 403, 200, 401, 401, 403}},
		"HEAD /api/v1/uploads/{id}":    {tusOn(http.MethodHead), status, [6]int{200, 403, 403, 401, 401, 403}},
		"PATCH /api/v1/uploads/{id}":   {tusOn(http.MethodPatch), status, [6]int{204, 403, 403, 401, 401, 403}},
		"DELETE /api/v1/uploads/{id}":  {tusOn(http.MethodDelete), status, [6]int{204, 403, 403, 401, 401, 403}},
		"HEAD /api/v1/evidence/{hash}": {plain(http.MethodHead, wire.EvidencePath+hash, nil), status, [6]int{200, 404, 200, 401, 401, 403}},
		"GET /api/v1/evidence/{hash}":  {plain(http.MethodGet, wire.EvidencePath+hash, nil), status, [6]int{200, 404, 200, 401, 401, 403}},
		// Logging in needs no token: each caller sends its own password
		// (anonymous: a wrong one; disabled: the right one).
		"POST /api/v1/login": {func(e *env, caller string) *http.Request {
			body := `{"username":"nobody","password":"Wrong#123"}`
			if u, ok := callerAccount[caller]; ok {
				body = fmt.Sprintf(`{"username":%q,"password":%q}`, u, e.account(u).password)
			}
			req, _ := http.NewRequest(http.MethodPost, e.url(wire.LoginPath), bytes.NewBufferString(body))
			return req
		}, func(e *env, r response) int {
			if r.status == http.StatusOK {
				var lr wire.LoginResponse
				r.decode(e.t, &lr)
				e.secrets = append(e.secrets, lr.Token)
			}
			return r.status
		}, [6]int{200, 200, 200, 401, 401, 200}},
		// The right current password and a too-short new one: the request
		// passes authentication and is refused for its content (400).
		"POST /api/v1/password": {func(e *env, caller string) *http.Request {
			old := "x"
			if u, ok := callerAccount[caller]; ok {
				old = e.account(u).password
			}
			req, _ := http.NewRequest(http.MethodPost, e.url(wire.PasswordPath), bytes.NewBufferString(fmt.Sprintf(`{"old":%q,"new":"short"}`, old)))
			return req
		}, status, [6]int{400, 400, 400, 401, 401, 403}},
		// A draft of unit A's task: only unit A's reporters may save it.
		"POST /api/v1/push": {func(e *env, caller string) *http.Request {
			n++
			body := fmt.Sprintf(`{"changes":[{"id":"acl-%d","kind":%q,"data":{"task_id":%q,"statement":"已公布权责清单","attachments":[]},"made_at":"2026-03-02T10:00:00Z"}]}`,
				n, wire.KindDraftSave, taskA)
			req, _ := http.NewRequest(http.MethodPost, e.url(wire.PushPath), bytes.NewBufferString(body))
			return req
		}, pushStatus, [6]int{200, 403, 403, 401, 401, 403}},
		// User administration: reviewer administrators only (the table's
		// reviewer is one; other reviewers are refused in user_admin_test.go).
		"POST /api/v1/users": {func(e *env, caller string) *http.Request {
			n++
			body := fmt.Sprintf(`{"username":"acl-user-%d","name":"新填报员","role":"reporter","unit_id":%q}`, n, unitA)
			req, _ := http.NewRequest(http.MethodPost, e.url(wire.UsersPath), bytes.NewBufferString(body))
			return req
		}, secretStatus, [6]int{403, 403, 201, 401, 401, 403}},
		"PUT /api/v1/users/{id}/disabled": {plain(http.MethodPut, wire.UsersPath+"/u-rep-a2"+wire.UserDisabledSuffix, `{"disabled":false}`),
			status, [6]int{403, 403, 200, 401, 401, 403}},
		"POST /api/v1/users/{id}/password": {plain(http.MethodPost, wire.UsersPath+"/u-rep-a2"+wire.UserPasswordSuffix, `{}`),
			secretStatus, [6]int{403, 403, 200, 401, 401, 403}},
		"POST /api/v1/uploads/": {func(e *env, caller string) *http.Request {
			data := pdf(1000, byte(10+len(caller)))
			req, _ := http.NewRequest(http.MethodPost, e.url(wire.UploadsPath), nil)
			req.Header.Set("Tus-Resumable", "1.0.0")
			req.Header.Set("Upload-Length", fmt.Sprint(len(data)))
			req.Header.Set("Upload-Metadata", tusMeta(sha(data), "会议纪要.pdf"))
			return req
		}, status, [6]int{201, 201, 201, 401, 401, 403}},
		// A new lead for unit A: service accounts and reviewers may import
		// it, reporters may not.
		"POST /api/v1/leads": {func(e *env, caller string) *http.Request {
			n++
			body := fmt.Sprintf(`{"leads":[{"source":"hotline","record_id":"acl-%d","unit_id":%q,"date":"2026-02-27","summary":"市民来电反映办事窗口推诿。"}]}`, n, unitA)
			req, _ := http.NewRequest(http.MethodPost, e.url(wire.LeadsPath), bytes.NewBufferString(body))
			return req
		}, status, [6]int{403, 403, 200, 401, 401, 200}},
	}

	// The service account can only import leads: besides the session,
	// health and this API's description, every route refuses it with 403.
	// Reporters cannot import leads.
	serviceMay := map[string]bool{
		"GET /healthz": true, "GET /api/v1/openapi.yaml": true, "POST /api/v1/login": true,
		"POST /api/v1/logout": true, "GET /api/v1/me": true, "POST /api/v1/leads": true,
	}
	svc := slices.Index(callers, "service")
	for key, row := range rows {
		if got := row.want[svc]; serviceMay[key] != (got < 400) || !serviceMay[key] && got != http.StatusForbidden {
			t.Errorf("%s: the service account is expected to get %d; it may call only %v", key, got, slices.Sorted(maps.Keys(serviceMay)))
		}
	}
	for _, reporter := range []string{"own", "other"} {
		if got := rows["POST /api/v1/leads"].want[slices.Index(callers, reporter)]; got != http.StatusForbidden {
			t.Errorf("reporter (%s) importing leads is expected to get %d, want 403", reporter, got)
		}
	}

	var logout *accessRow
	for _, rt := range e.srv.Routes() {
		key := rt.Method + " " + rt.Path()
		row, ok := rows[key]
		if !ok {
			t.Errorf("route %s has no row in the access-control table", key)
			continue
		}
		delete(rows, key)
		if key == "POST /api/v1/logout" {
			logout = &row // last: it ends the sessions the other rows use
			continue
		}
		checkRow(t, e, key, row, tokens)
	}
	for key := range rows {
		t.Errorf("row for a route that does not exist: %s", key)
	}
	if logout == nil {
		t.Fatal("no logout route")
	}
	checkRow(t, e, "POST /api/v1/logout", *logout, tokens)
	// After logging out, the tokens are dead.
	for _, caller := range []string{"own", "reviewer"} {
		if r := e.do(http.MethodGet, wire.MePath, tokens[caller], nil); r.status != http.StatusUnauthorized {
			t.Errorf("%s after logout: %d, want 401", caller, r.status)
		}
	}
}

func checkRow(t *testing.T, e *env, key string, row accessRow, tokens map[string]string) {
	t.Helper()
	for i, caller := range callers {
		req := row.build(e, caller)
		r := e.send(req, tokens[caller])
		got := row.status(e, r)
		if got != row.want[i] {
			t.Errorf("%s as %s: %d, want %d (%s)", key, caller, got, row.want[i], bytes.TrimSpace(r.body))
		}
		if r.status >= 400 && req.Method != http.MethodHead {
			r.wireError(t)
		}
	}
}
