package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
)

// Files of a demo server's folder.
const (
	demoDB       = "demo.db"
	demoAccounts = "accounts.json"
)

// Server is a demo city served over HTTP on loopback: the real server
// handler over a real SQLite store and evidence folder. The desktop client's
// "try the demo" runs one in-process; tests start one per city they need.
type Server struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:53117.
	URL string
	// Credentials are the demo accounts, in the order of the demo's users.
	Credentials []Credential

	store     *sqlite.Store
	hs        *http.Server
	done      chan error
	closeOnce sync.Once
	closeErr  error
}

// Start serves the demo city kept in dir, seeding it for year at now when
// dir holds none yet, on an ephemeral loopback port. The store's clock starts
// at now and runs on from there, so that what the city records (filing,
// scoring and audit times) happens at the demo's time. The accounts' random
// passwords are kept in dir beside the database so that a demo seeded once
// can be logged into again after a restart. logw receives the server's log
// (io.Discard when nil).
func Start(ctx context.Context, dir string, year int, now time.Time, logw io.Writer) (*Server, error) {
	return StartOn(ctx, "127.0.0.1:0", dir, year, now, logw)
}

// StartOn is Start on the given address, e.g. to serve a stopped demo city
// again where its clients expect it.
func StartOn(ctx context.Context, addr, dir string, year int, now time.Time, logw io.Writer) (*Server, error) {
	if logw == nil {
		logw = io.Discard
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("demo folder: %w", err)
	}
	dbPath := filepath.Join(dir, demoDB)
	credPath := filepath.Join(dir, demoAccounts)
	creds, err := readCredentials(credPath)
	if err != nil {
		// No complete earlier seed: start from an empty database.
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(dbPath + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("demo folder: %w", err)
			}
		}
	}
	// The city's records run on the demo's own clock: now, moving on with
	// the time the server has been running.
	started := time.Now()
	store, err := sqlite.Open(dbPath, sqlite.Options{Now: func() time.Time { return now.Add(time.Since(started)) }})
	if err != nil {
		return nil, err
	}
	if creds == nil {
		creds, err = Load(ctx, store, City(year, now), now, server.HashPassword)
		if err == nil {
			err = writeCredentials(credPath, creds)
		}
		if err != nil {
			store.Close()
			return nil, err
		}
	}
	blobs, err := server.NewDirBlobs(filepath.Join(dir, "evidence"))
	if err != nil {
		store.Close()
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(logw, nil))
	h, err := server.New(server.Config{Store: store, Blobs: blobs, DataDir: filepath.Join(dir, "uploads"), Logger: log})
	if err != nil {
		store.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("demo server: %w", err)
	}
	s := &Server{
		URL:         "http://" + ln.Addr().String(),
		Credentials: creds,
		store:       store,
		hs:          &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		done:        make(chan error, 1),
	}
	go func() { s.done <- s.hs.Serve(ln) }()
	return s, nil
}

// Credential returns the account with the given username.
func (s *Server) Credential(username string) (Credential, bool) {
	for _, c := range s.Credentials {
		if c.Username == username {
			return c, true
		}
	}
	return Credential{}, false
}

// Close stops serving, waits for requests in flight and closes the store.
// Closing twice returns the first result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Server) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.hs.Shutdown(ctx)
	if serr := <-s.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if cerr := s.store.Close(); err == nil {
		err = cerr
	}
	return err
}

func readCredentials(path string) ([]Credential, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var creds []Credential
	if err := json.Unmarshal(b, &creds); err != nil {
		return nil, fmt.Errorf("demo accounts: %w", err)
	}
	if len(creds) == 0 {
		return nil, errors.New("demo accounts: empty")
	}
	return creds, nil
}

// writeCredentials keeps the accounts through a temporary file, a sync and a
// rename, so a crash leaves either no file (and a fresh seed next time) or
// the whole file.
func writeCredentials(path string, creds []Credential) error {
	b, err := json.MarshalIndent(creds, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("demo accounts: %w", err)
	}
	if _, err = f.Write(b); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("demo accounts: %w", err)
	}
	return os.Rename(tmp, path)
}
