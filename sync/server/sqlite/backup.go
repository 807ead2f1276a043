package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/yiwangtong/yiwangtong/assess"
)

// Backup writes a consistent copy of the database to path while the server
// keeps serving (VACUUM INTO reads one snapshot). It refuses to overwrite an
// existing file.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return assess.Errorf(assess.EConflict, "备份文件“%s”已存在，请换一个文件名 (the backup file already exists)", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	// Windows flushes a file only through a handle that may write to it.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	return nil
}
