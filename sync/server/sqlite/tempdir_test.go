package sqlite_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// tempDir returns a new folder for one test and removes it when the test
// ends. It stands in for t.TempDir, whose clean-up fails under Wine 8, where
// these tests also run as Windows binaries: Go's os.RemoveAll deletes
// through FileDispositionInformationEx, which Wine 8 does not implement
// ("Invalid function"). A folder that cannot be removed is logged, not
// failed on.
func tempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "yiwangtong-test-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := removeTree(dir); err != nil {
			t.Logf("could not remove the test folder %s: %v", dir, err)
		}
	})
	return dir
}

// removeTree removes dir with os.RemoveAll and, where that fails (Wine 8),
// entry by entry, deepest first, with os.Remove, which deletes the older
// way.
func removeTree(dir string) error {
	if os.RemoveAll(dir) == nil {
		return nil
	}
	var paths []string
	filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		paths = append(paths, p)
		return nil
	})
	var first error
	for i := len(paths) - 1; i >= 0; i-- {
		if err := os.Remove(paths[i]); err != nil && !errors.Is(err, fs.ErrNotExist) && first == nil {
			first = err
		}
	}
	return first
}
