package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	tus "github.com/tus/tusd/v2/pkg/handler"

	"github.com/yiwangtong/yiwangtong/assess"
)

// DefaultSessionTTL is how long a login lasts when Config.SessionTTL is zero.
const DefaultSessionTTL = 12 * time.Hour

// argonSlots bounds how many password hashes are computed at once: each
// takes 46 MiB.
const argonSlots = 4

// Config is what the server needs. Store, Blobs and DataDir are required.
type Config struct {
	// Store keeps the authoritative records.
	Store Store
	// Blobs keeps the verified evidence files.
	Blobs BlobStore
	// DataDir holds the tus uploads in progress; it should be on the same
	// file system as Blobs so that a finished upload is moved, not copied.
	DataDir string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger receives one line per request and every internal fault;
	// slog.Default() when nil.
	Logger *slog.Logger
	// SessionTTL is how long a login lasts; DefaultSessionTTL when zero.
	SessionTTL time.Duration
	// MaxUpload is the largest evidence file accepted; assess.MaxEvidenceSize
	// when zero.
	MaxUpload int64
}

// Server is the central server's http.Handler.
type Server struct {
	store      Store
	blobs      BlobStore
	now        func() time.Time
	log        *slog.Logger
	sessionTTL time.Duration
	maxUpload  int64

	routes   []Route
	mux      *http.ServeMux
	paths    *http.ServeMux // every route's path, any method: tells 405 from 404
	uploads  *hashingStore
	tus      *tus.UnroutedHandler
	throttle *throttle
	argon    chan struct{}
	// dummyHash is checked for unknown usernames so that they cost the same
	// time as known ones.
	dummyHash string
}

// New returns a server ready to serve.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Blobs == nil || cfg.DataDir == "" {
		return nil, errors.New("server: Config needs Store, Blobs and DataDir")
	}
	s := &Server{
		store:      cfg.Store,
		blobs:      cfg.Blobs,
		now:        cfg.Now,
		log:        cfg.Logger,
		sessionTTL: cfg.SessionTTL,
		maxUpload:  cfg.MaxUpload,
		throttle:   newThrottle(),
		argon:      make(chan struct{}, argonSlots),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.sessionTTL <= 0 {
		s.sessionTTL = DefaultSessionTTL
	}
	if s.maxUpload <= 0 || s.maxUpload > assess.MaxEvidenceSize {
		s.maxUpload = assess.MaxEvidenceSize
	}
	dummy, err := HashPassword("not a real password, only spent time")
	if err != nil {
		return nil, err
	}
	s.dummyHash = dummy
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("server: upload folder: %w", err)
	}
	if err := s.initTus(cfg.DataDir); err != nil {
		return nil, err
	}

	s.routes = s.routeTable()
	s.mux = http.NewServeMux()
	s.paths = http.NewServeMux()
	seen := map[string]bool{}
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.guard(rt))
		if !seen[rt.Pattern] {
			seen[rt.Pattern] = true
			s.paths.Handle(rt.Pattern, http.HandlerFunc(s.methodNotAllowed))
		}
	}
	s.mux.HandleFunc("/", s.notFound)
	return s, nil
}

// ServeHTTP answers a request and logs it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.logRequests(s.mux).ServeHTTP(w, r)
}

// guard authenticates and authorises a request for rt before its handler.
func (s *Server) guard(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Access != Public {
			u, err := s.authenticate(r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			if err := rt.Access.allows(u); err != nil {
				s.writeError(w, r, err)
				return
			}
			r = r.WithContext(withUser(r.Context(), u))
		}
		rt.handler(w, r)
	})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.paths.Handler(r); pattern != "" {
		s.methodNotAllowed(w, r)
		return
	}
	s.writeError(w, r, assess.Errorf(assess.ENotFound, "接口不存在：%s (no such API path)", sanitize(r.URL.Path)))
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusMethodNotAllowed, errorJSON(assess.EInvalid,
		fmt.Sprintf("该接口不支持 %s 请求方法 (method not allowed)", sanitize(r.Method))))
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok"))
}
