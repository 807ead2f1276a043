package server

import (
	"net/http"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// Access says who may call a route.
type Access int

// The kinds of access a route requires.
const (
	// Public routes need no login.
	Public Access = iota
	// LoggedIn routes need a live session of any role: they concern only
	// the session itself.
	LoggedIn
	// People are reporters and reviewers: every person, no service account.
	People
	// Uploaders are the people, with a refusal that speaks of evidence.
	Uploaders
	// Reviewers are the city office's reviewing users.
	Reviewers
	// Importers are service accounts, which other government systems use
	// to send leads, and reviewers.
	Importers
)

// String names the access level.
func (a Access) String() string {
	switch a {
	case Public:
		return "public"
	case LoggedIn:
		return "logged-in"
	case People:
		return "people"
	case Uploaders:
		return "uploaders"
	case Reviewers:
		return "reviewers"
	case Importers:
		return "importers"
	}
	return "unknown"
}

// allows reports whether u may call a route with this access.
func (a Access) allows(u assess.User) error {
	switch a {
	case People:
		if u.Role != assess.Reporter && u.Role != assess.Reviewer {
			return assess.Errorf(assess.EForbidden, "接口账号只能导入督察线索（POST %s），不能使用此接口 (service accounts may only import leads)", wire.LeadsPath)
		}
	case Uploaders:
		if u.Role != assess.Reporter && u.Role != assess.Reviewer {
			return assess.Errorf(assess.EForbidden, "接口账号不能上传佐证材料，请使用填报或审核账号 (service accounts may not upload evidence)")
		}
	case Reviewers:
		if u.Role != assess.Reviewer {
			return assess.Errorf(assess.EForbidden, "只有审核用户可以执行此操作 (reviewers only)")
		}
	case Importers:
		if u.Role != assess.Service && u.Role != assess.Reviewer {
			return assess.Errorf(assess.EForbidden, "只有接口账号和审核用户可以导入督察线索 (only service accounts and reviewers may import leads)")
		}
	}
	return nil
}

// Route is one entry of the server's route table.
type Route struct {
	// Method is the HTTP method.
	Method string
	// Pattern is the http.ServeMux path pattern, e.g. "/api/v1/evidence/{hash}".
	Pattern string
	// Access says who may call it.
	Access Access
	// Summary says what it does.
	Summary string

	handler http.HandlerFunc
}

// Path returns the route's path in OpenAPI form: the pattern without the
// ServeMux end-of-path marker.
func (rt Route) Path() string {
	return strings.TrimSuffix(rt.Pattern, "{$}")
}

// routeTable is the one table of everything the server answers.
func (s *Server) routeTable() []Route {
	return []Route{
		{http.MethodGet, wire.HealthPath, Public, "health check", s.handleHealth},
		{http.MethodGet, wire.Prefix + "/openapi.yaml", Public, "this API's OpenAPI description", s.handleOpenAPI},
		{http.MethodPost, wire.LoginPath, Public, "log in", s.handleLogin},
		{http.MethodPost, wire.LogoutPath, LoggedIn, "log out", s.handleLogout},
		{http.MethodGet, wire.MePath, LoggedIn, "the logged-in user", s.handleMe},
		{http.MethodPost, wire.PasswordPath, People, "change the password", s.handlePassword},
		{http.MethodPost, wire.PushPath, People, "push changes", s.handlePush},
		{http.MethodGet, wire.ChangesPath, People, "pull the change feed", s.handleChanges},
		{http.MethodPost, wire.UploadsPath + "{$}", Uploaders, "create a tus upload", s.tusHandler(http.MethodPost)},
		{http.MethodHead, wire.UploadsPath + "{id}", Uploaders, "tus upload offset", s.tusHandler(http.MethodHead)},
		{http.MethodPatch, wire.UploadsPath + "{id}", Uploaders, "tus upload data", s.tusHandler(http.MethodPatch)},
		{http.MethodDelete, wire.UploadsPath + "{id}", Uploaders, "tus termination", s.tusHandler(http.MethodDelete)},
		{http.MethodHead, wire.EvidencePath + "{hash}", People, "evidence size", s.handleEvidence},
		{http.MethodGet, wire.EvidencePath + "{hash}", People, "download evidence (Range)", s.handleEvidence},
		{http.MethodGet, wire.AuditPath, Reviewers, "verify the audit chain", s.handleAudit},
		{http.MethodGet, wire.AuditEventsPath, Reviewers, "the audit log of a period", s.handleAuditEvents},
		{http.MethodPost, wire.UsersPath, Reviewers, "add a user (administrators)", s.handleAddUser},
		{http.MethodPut, wire.UsersPath + "/{id}" + wire.UserDisabledSuffix, Reviewers, "disable or enable a user (administrators)", s.handleUserDisabled},
		{http.MethodPost, wire.UsersPath + "/{id}" + wire.UserPasswordSuffix, Reviewers, "reset a user's password (administrators)", s.handleUserPassword},
		{http.MethodPost, wire.LeadsPath, Importers, "import a batch of leads (service accounts, reviewers)", s.handleLeads},
	}
}

// Routes returns a copy of the route table, for tests and documentation.
func (s *Server) Routes() []Route {
	out := make([]Route, len(s.routes))
	copy(out, s.routes)
	for i := range out {
		out[i].handler = nil
	}
	return out
}
