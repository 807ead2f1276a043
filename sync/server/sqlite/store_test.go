package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/server/sqlite"
	"github.com/yiwangtong/yiwangtong/sync/server/storetest"
)

// open opens a store in a fresh file of the test's temporary folder.
func open(t *testing.T, now func() time.Time) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(tempDir(t), "server.db"), sqlite.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) server.Store { return open(t, now) })
}

var ctx = context.Background()
