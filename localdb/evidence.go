package localdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
)

// Blob origins.
const (
	originLocal    = "local"    // added by the user on this PC: never removed by ClearCache
	originDownload = "download" // fetched from the server: a cache
)

func (db *DB) tmpDir() string     { return filepath.Join(db.evDir, "tmp") }
func (db *DB) partialDir() string { return filepath.Join(db.evDir, "partial") }

// blobPath returns where the file of a (validated) hash lives:
// evidence/ab/abcdef….
func (db *DB) blobPath(hash string) string { return filepath.Join(db.evDir, hash[:2], hash) }

// AddEvidence adds the file at path to the evidence store under its own
// name and returns the attachment naming it. See AddEvidenceReader.
func (db *DB) AddEvidence(ctx context.Context, path string) (assess.Attachment, error) {
	name := filepath.Base(path)
	if err := assess.ValidateFileName(name); err != nil {
		return assess.Attachment{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return assess.Attachment{}, assess.Errorf(assess.EInvalid, "无法打开文件“%s”：%v，请确认文件存在且没有被其他程序占用 (cannot open the file)", name, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return assess.Attachment{}, assess.Errorf(assess.EInvalid, "“%s”是文件夹，请选择其中的文件 (a folder, not a file)", name)
	}
	return db.AddEvidenceReader(ctx, name, f)
}

// AddEvidenceReader adds a file read from r under the given name. The name
// and the content are checked (no paths or disguising characters in the
// name, an accepted type, not empty, not a program, at most 2 GB); the
// content is streamed into a temporary file while hashed, synced to disk and
// renamed to evidence/ab/abcdef…, and the folder is synced, so that the file
// is either complete or absent after a crash. The same content added twice is
// stored once and gets the same hash.
func (db *DB) AddEvidenceReader(ctx context.Context, name string, r io.Reader) (assess.Attachment, error) {
	if err := assess.ValidateFileName(name); err != nil {
		return assess.Attachment{}, err
	}
	hash, size, err := db.store(ctx, name, r)
	if err != nil {
		return assess.Attachment{}, err
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO blobs (hash, name, size, origin, added_at) VALUES (?, ?, ?, 'local', ?)
			ON CONFLICT (hash) DO UPDATE SET origin = 'local'`, hash, name, size, fmtTime(db.now()))
		return err
	})
	if err != nil {
		return assess.Attachment{}, fmt.Errorf("record evidence %s: %w", name, err)
	}
	return assess.Attachment{Hash: hash, Name: name, Size: size, Slot: -1}, nil
}

// ctxReader stops reading when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// store writes r into the evidence folder atomically and returns its hash
// and size.
func (db *DB) store(ctx context.Context, name string, r io.Reader) (hash string, size int64, err error) {
	tmp, err := os.CreateTemp(db.tmpDir(), "add-*")
	if err != nil {
		return "", 0, storeError(name, err)
	}
	defer func() {
		if tmp != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	head := make([]byte, 512)
	n, err := io.ReadFull(ctxReader{ctx, r}, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", 0, readError(name, err)
	}
	head = head[:n]
	if err := assess.CheckContent(name, max(int64(n), 1), head); err != nil {
		return "", 0, err // a program in disguise: refuse before reading the rest
	}
	h := sha256.New()
	w := io.MultiWriter(tmp, h)
	if _, err := w.Write(head); err != nil {
		return "", 0, storeError(name, err)
	}
	rest, err := io.Copy(w, io.LimitReader(ctxReader{ctx, r}, assess.MaxEvidenceSize+1-int64(n)))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Path == tmp.Name() {
			return "", 0, storeError(name, err)
		}
		return "", 0, readError(name, err)
	}
	size = int64(n) + rest
	if err := assess.CheckContent(name, size, head); err != nil {
		return "", 0, err
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, storeError(name, err)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, storeError(name, err)
	}
	hash = hex.EncodeToString(h.Sum(nil))
	dst := db.blobPath(hash)
	if st, err := os.Stat(dst); err == nil && st.Size() == size {
		if ok, _ := fileHasHash(dst, hash); ok {
			return hash, size, nil // stored already; the deferred clean-up removes tmp
		}
	}
	if err := db.place(tmp.Name(), dst); err != nil {
		return "", 0, storeError(name, err)
	}
	tmp = nil
	return hash, size, nil
}

// place renames a synced file to its place in the store and syncs the
// folders, creating the fan-out folder when needed.
func (db *DB) place(src, dst string) error {
	dir := filepath.Dir(dst)
	_, statErr := os.Stat(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		if err := syncDir(db.evDir); err != nil {
			return err
		}
	}
	if err := os.Rename(src, dst); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable. Windows has no directory sync; NTFS
// journals renames itself.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func readError(name string, err error) error {
	return assess.Errorf(assess.EInvalid, "读取文件“%s”失败：%v，请确认文件可以打开后重新添加 (cannot read the file)", name, err)
}

func storeError(name string, err error) error {
	return assess.Errorf(assess.EInternal, "保存文件“%s”到本地资料库失败：%v，请检查磁盘空间和数据文件夹权限 (cannot store the file)", name, err)
}

// fileHasHash reports whether the file's SHA-256 is hash.
func fileHasHash(path, hash string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == hash, nil
}

// blobName returns a name to show for a hash: its recorded name, else the
// name some attachment gives it, else a short form of the hash.
func blobName(ctx context.Context, q querier, hash string) string {
	var name string
	err := q.QueryRowContext(ctx, `SELECT name FROM blobs WHERE hash = ?1 AND name <> ''
		UNION ALL SELECT json_extract(a.value, '$.name') FROM submissions s, json_each(s.attachments) a
		WHERE json_extract(a.value, '$.hash') = ?1 LIMIT 1`, hash).Scan(&name)
	if err != nil || name == "" {
		return hash[:12] + "…"
	}
	return name
}

func badHash(hash string) error {
	return assess.Errorf(assess.EInvalid, "文件摘要“%.70s”格式不正确，应为 64 位小写十六进制 SHA-256 (bad SHA-256)", hash)
}

// OpenVerified opens a stored evidence file after re-hashing it: a file that
// is missing or whose content no longer matches its SHA-256 is refused with
// a Chinese error naming it. A damaged downloaded copy is removed, so that it
// can be downloaded again; the user's own files are never removed.
func (db *DB) OpenVerified(ctx context.Context, hash string) (io.ReadSeekCloser, error) {
	if assess.ValidateHash(hash) != nil {
		return nil, badHash(hash)
	}
	name := blobName(ctx, db.r, hash)
	f, err := os.Open(db.blobPath(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, assess.Errorf(assess.ENotFound, "佐证材料“%s”在本机不存在，可能已被删除，请重新下载或重新添加 (evidence file missing)", name)
	}
	if err != nil {
		return nil, assess.Errorf(assess.EInternal, "无法打开佐证材料“%s”：%v (cannot open the evidence file)", name, err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, ctxReader{ctx, f}); err != nil {
		f.Close()
		return nil, assess.Errorf(assess.EInternal, "读取佐证材料“%s”失败：%v (cannot read the evidence file)", name, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != hash {
		f.Close()
		msg := "佐证材料“%s”的内容与其摘要不符，文件已被修改或损坏，请重新添加原始文件 (evidence file altered or damaged)"
		var origin string
		db.r.QueryRowContext(ctx, "SELECT origin FROM blobs WHERE hash = ?", hash).Scan(&origin)
		if origin == originDownload {
			db.forget(ctx, hash)
			msg = "佐证材料“%s”的本机副本已损坏（摘要不符），已删除，请重新下载 (downloaded copy damaged; removed)"
		}
		return nil, assess.Errorf(assess.EInvalid, msg, name)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("open evidence %s: %w", hash, err)
	}
	return f, nil
}

// forget removes a downloaded file and its record.
func (db *DB) forget(ctx context.Context, hash string) {
	os.Remove(db.blobPath(hash))
	db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM blobs WHERE hash = ? AND origin = 'download'", hash)
		return err
	})
}

// OpenBlob opens a stored evidence file without verifying it; the uploader
// hashes as it sends.
func (db *DB) OpenBlob(ctx context.Context, hash string) (io.ReadSeekCloser, error) {
	if assess.ValidateHash(hash) != nil {
		return nil, badHash(hash)
	}
	f, err := os.Open(db.blobPath(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, assess.Errorf(assess.ENotFound, "佐证材料“%s”在本机不存在，可能已被删除，请重新添加 (evidence file missing)", blobName(ctx, db.r, hash))
	}
	if err != nil {
		return nil, fmt.Errorf("open evidence %s: %w", hash, err)
	}
	return f, nil
}

// HasBlob reports whether the evidence file is in the local store.
func (db *DB) HasBlob(ctx context.Context, hash string) (bool, error) {
	if assess.ValidateHash(hash) != nil {
		return false, badHash(hash)
	}
	st, err := os.Stat(db.blobPath(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("stat evidence %s: %w", hash, err)
	}
	return st.Mode().IsRegular(), nil
}

// PartialPath returns the path of the partial download of a file; it may
// already hold a prefix from an earlier, interrupted download. A malformed
// hash gets a path that CommitPartial will refuse.
func (db *DB) PartialPath(hash string) string {
	if assess.ValidateHash(hash) != nil {
		return filepath.Join(db.partialDir(), "invalid.part")
	}
	return filepath.Join(db.partialDir(), hash+".part")
}

// CommitPartial verifies the partial download's SHA-256 and moves it into
// the store (sync, rename, sync the folder); on a mismatch it removes the
// partial file and fails, so that the next attempt starts afresh.
func (db *DB) CommitPartial(ctx context.Context, hash string) error {
	if assess.ValidateHash(hash) != nil {
		return badHash(hash)
	}
	p := db.PartialPath(hash)
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return assess.Errorf(assess.ENotFound, "没有找到正在下载的文件，请重新下载 (no partial download)")
	}
	if err != nil {
		return fmt.Errorf("commit download %s: %w", hash, err)
	}
	h := sha256.New()
	size, err := io.Copy(h, ctxReader{ctx, f})
	if err != nil {
		f.Close()
		return fmt.Errorf("commit download %s: %w", hash, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != hash {
		f.Close()
		os.Remove(p)
		return assess.Errorf(assess.EInvalid, "下载的佐证材料“%s”与其摘要不符，已删除，请重新下载 (downloaded file does not match its SHA-256)", blobName(ctx, db.r, hash))
	}
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(serr, cerr); err != nil {
		return fmt.Errorf("commit download %s: %w", hash, err)
	}
	if err := db.place(p, db.blobPath(hash)); err != nil {
		return fmt.Errorf("commit download %s: %w", hash, err)
	}
	name := blobName(ctx, db.r, hash)
	if name == hash[:12]+"…" {
		name = ""
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO blobs (hash, name, size, origin, added_at, uploaded) VALUES (?, ?, ?, 'download', ?, 1)
			ON CONFLICT (hash) DO UPDATE SET uploaded = 1, upload_url = ''`, hash, name, size, fmtTime(db.now()))
		return err
	})
}

// referencedHashes is every evidence hash a local draft or an outbox change
// (pending or rejected) names: the user's own work.
const referencedHashes = `
	SELECT json_extract(a.value, '$.hash') AS hash FROM drafts d, json_each(d.attachments) a
	UNION SELECT json_extract(a.value, '$.hash') FROM outbox o, json_each(o.data, '$.attachments') a
	UNION SELECT json_extract(a.value, '$.hash') FROM outbox o, json_each(o.data, '$.photos') a
		WHERE o.kind = 'inspection.save'
	UNION SELECT json_extract(o.data, '$.document') FROM outbox o WHERE o.kind = 'external.save'`

// PendingUploads returns the evidence files that pending changes name and
// that are not known to be on the server yet, each once, in the order the
// changes were made.
func (db *DB) PendingUploads(ctx context.Context) ([]client.LocalBlob, error) {
	rows, err := db.r.QueryContext(ctx, `WITH refs (hash, seq, pos) AS (
			SELECT json_extract(a.value, '$.hash'), o.seq, a.key FROM outbox o, json_each(o.data, '$.attachments') a
			WHERE o.state = 'pending'
			UNION ALL SELECT json_extract(a.value, '$.hash'), o.seq, a.key FROM outbox o, json_each(o.data, '$.photos') a
			WHERE o.state = 'pending' AND o.kind = 'inspection.save'
			UNION ALL SELECT json_extract(o.data, '$.document'), o.seq, 0 FROM outbox o
			WHERE o.state = 'pending' AND o.kind = 'external.save'),
		ordered (hash, ord) AS (SELECT hash, ROW_NUMBER() OVER (ORDER BY seq, pos) FROM refs)
		SELECT b.hash, b.name, b.size FROM blobs b
		JOIN (SELECT hash, MIN(ord) AS ord FROM ordered GROUP BY hash) r ON r.hash = b.hash
		WHERE b.uploaded = 0 ORDER BY r.ord`)
	if err != nil {
		return nil, fmt.Errorf("pending uploads: %w", err)
	}
	defer rows.Close()
	var out []client.LocalBlob
	for rows.Next() {
		var b client.LocalBlob
		if err := rows.Scan(&b.Hash, &b.Name, &b.Size); err != nil {
			return nil, fmt.Errorf("pending uploads: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// UploadURL returns the tus upload URL remembered for a file, "" if none.
func (db *DB) UploadURL(ctx context.Context, hash string) (string, error) {
	var u string
	err := db.r.QueryRowContext(ctx, "SELECT upload_url FROM blobs WHERE hash = ?", hash).Scan(&u)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("upload url %s: %w", hash, err)
	}
	return u, nil
}

// SetUploadURL remembers (or, with "", forgets) the tus upload URL of a
// file in the store. The commit is not synced to disk (see writeUnsynced):
// losing it to a power cut only costs a restart of that file's upload.
func (db *DB) SetUploadURL(ctx context.Context, hash, url string) error {
	return db.writeUnsynced(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE blobs SET upload_url = ? WHERE hash = ?", url, hash)
		return err
	})
}

// MarkUploaded records that the server holds the file and forgets its
// upload URL. The commit is not synced to disk (see writeUnsynced): losing
// it to a power cut only costs one question to the server next time.
func (db *DB) MarkUploaded(ctx context.Context, hash string) error {
	return db.writeUnsynced(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE blobs SET uploaded = 1, upload_url = '' WHERE hash = ?", hash)
		return err
	})
}

// writeUnsynced is write for bookkeeping that is cheap to lose: the
// transaction commits with synchronous=NORMAL, so it reaches the
// write-ahead log but does not wait for the disk. A crash of the program
// keeps it (the log is in the operating system's hands); a power cut
// before the next synced commit or checkpoint may undo it, and the
// database stays consistent either way. The writer connection is set back
// to synchronous=FULL before anyone else uses it, or discarded.
func (db *DB) writeUnsynced(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer func() {
		// Not ctx: a cancelled caller must not leave the connection unsynced.
		if _, rerr := conn.ExecContext(context.Background(), "PRAGMA synchronous = FULL"); rerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, fmt.Errorf("restore synchronous: %w", rerr))
		}
		conn.Close()
	}()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// DataSize returns the bytes the data folder holds: the database with its
// write-ahead log, and the evidence folder.
func (db *DB) DataSize(ctx context.Context) (int64, error) {
	var total int64
	for _, s := range []string{"", "-wal", "-shm"} {
		if st, err := os.Stat(filepath.Join(db.dir, FileName+s)); err == nil {
			total += st.Size()
		}
	}
	err := filepath.WalkDir(db.evDir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed meanwhile
			}
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				total += info.Size()
			}
		}
		return nil
	})
	return total, err
}

// ClearCache removes downloaded evidence that no local draft and no change
// in the outbox names, and returns the bytes freed. The user's own files are
// never removed, sent or not.
func (db *DB) ClearCache(ctx context.Context) (int64, error) {
	var freed int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT hash FROM blobs WHERE origin = 'download'
			AND hash NOT IN (SELECT hash FROM (`+referencedHashes+`) WHERE hash IS NOT NULL)`)
		if err != nil {
			return fmt.Errorf("clear cache: %w", err)
		}
		var hashes []string
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return fmt.Errorf("clear cache: %w", err)
			}
			hashes = append(hashes, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("clear cache: %w", err)
		}
		for _, h := range hashes {
			if assess.ValidateHash(h) != nil {
				continue
			}
			p := db.blobPath(h)
			st, err := os.Stat(p)
			if err == nil {
				if err := os.Remove(p); err != nil {
					return fmt.Errorf("clear cache: %w", err)
				}
				freed += st.Size()
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM blobs WHERE hash = ?", h); err != nil {
				return fmt.Errorf("clear cache: %w", err)
			}
		}
		return nil
	})
	return freed, err
}
