package localdb

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/client"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

func tmpEntries(t *testing.T, db *DB) []os.DirEntry {
	t.Helper()
	es, err := os.ReadDir(db.tmpDir())
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestAddEvidenceStoresOnceByHash(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	content := "%PDF-1.7\n" + strings.Repeat("依法行政", 5000)
	src := filepath.Join(tempDir(t), "年度报告.pdf")
	if err := os.WriteFile(src, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := db.AddEvidence(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	want := assess.Attachment{Hash: hashOf([]byte(content)), Name: "年度报告.pdf", Size: int64(len(content)), Slot: -1}
	if a != want {
		t.Fatalf("attachment = %+v, want %+v", a, want)
	}
	stored := filepath.Join(db.Dir(), "evidence", a.Hash[:2], a.Hash)
	if b, err := os.ReadFile(stored); err != nil || string(b) != content {
		t.Fatalf("stored file: %v", err)
	}
	// The same content under another name: stored once, same hash.
	b, err := db.AddEvidenceReader(ctx, "副本.pdf", stringsReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if b.Hash != a.Hash || b.Name != "副本.pdf" {
		t.Fatalf("second add = %+v", b)
	}
	files := 0
	filepath.WalkDir(filepath.Join(db.Dir(), "evidence"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files++
		}
		return nil
	})
	if files != 1 {
		t.Fatalf("%d files in the evidence folder, want 1", files)
	}
	if es := tmpEntries(t, db); len(es) != 0 {
		t.Fatalf("temporary files left: %v", es)
	}
	if ok, err := db.HasBlob(ctx, a.Hash); !ok || err != nil {
		t.Fatalf("HasBlob = %v, %v", ok, err)
	}
	if ok, _ := db.HasBlob(ctx, strings.Repeat("0", 64)); ok {
		t.Fatal("HasBlob of an unknown hash")
	}
	f, err := db.OpenVerified(ctx, a.Hash)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != content {
		t.Fatal("OpenVerified read other content")
	}
	size, err := db.DataSize(ctx)
	if err != nil || size < int64(len(content)) {
		t.Fatalf("DataSize = %d, %v", size, err)
	}
}

func TestAddEvidenceRefusesBadFiles(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, file, content, code, msg string
	}{
		{"empty", "空白.pdf", "", assess.EInvalid, "空文件"},
		{"exe as pdf", "通知.pdf", "MZ\x90\x00 this program", assess.EInvalid, "可执行程序"},
		{"script", "台账.txt", "#!/bin/sh\nrm -rf /", assess.EInvalid, "可执行程序"},
		{"path", "../etc/passwd.txt", "x", assess.EInvalid, "路径"},
		{"bidi", "invoice\u202Efdp.exe", "x", assess.EInvalid, "方向控制符"},
		{"nul", "a\x00.pdf", "x", assess.EInvalid, "控制字符"},
		{"type", "setup.exe", "x", assess.EInvalid, "不支持的文件类型"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := openTest(t)
			_, err := db.AddEvidenceReader(ctx, c.file, stringsReader(c.content))
			wantCode(t, err, c.code)
			if !strings.Contains(assess.ErrorMessage(err), c.msg) {
				t.Fatalf("message %q does not say %q", assess.ErrorMessage(err), c.msg)
			}
			if c.name == "empty" || c.name == "exe as pdf" {
				if !strings.Contains(assess.ErrorMessage(err), c.file) {
					t.Errorf("message %q does not name the file", assess.ErrorMessage(err))
				}
			}
			var n int
			db.r.QueryRow("SELECT count(*) FROM blobs").Scan(&n)
			if n != 0 {
				t.Error("a refused file was recorded")
			}
			if es := tmpEntries(t, db); len(es) != 0 {
				t.Errorf("temporary files left: %v", es)
			}
			ents, _ := os.ReadDir(filepath.Join(db.Dir(), "evidence"))
			if len(ents) != 2 { // tmp and partial only
				t.Errorf("evidence folder holds %v", ents)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		db := openTest(t)
		_, err := db.AddEvidence(ctx, filepath.Join(tempDir(t), "不存在.pdf"))
		wantCode(t, err, assess.EInvalid)
		if !strings.Contains(err.Error(), "不存在.pdf") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
	t.Run("reader fails", func(t *testing.T) {
		db := openTest(t)
		_, err := db.AddEvidenceReader(ctx, "照片.jpg", io.MultiReader(strings.NewReader(strings.Repeat("x", 1000)), failingReader{}))
		wantCode(t, err, assess.EInvalid)
		if !strings.Contains(err.Error(), "照片.jpg") {
			t.Fatalf("error does not name the file: %v", err)
		}
		if es := tmpEntries(t, db); len(es) != 0 {
			t.Errorf("temporary files left: %v", es)
		}
	})
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestOpenVerifiedDetectsDamage(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a := addFile(t, db, "会议纪要.pdf", "%PDF-1.4 minutes of the meeting")
	p := db.blobPath(a.Hash)
	b, _ := os.ReadFile(p)
	b[10] ^= 0x01
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := db.OpenVerified(ctx, a.Hash)
	wantCode(t, err, assess.EInvalid)
	if !strings.Contains(err.Error(), "会议纪要.pdf") || !strings.Contains(err.Error(), "损坏") {
		t.Fatalf("error = %v", err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal("the user's own (damaged) file was removed")
	}
	// Adding the original again repairs the store.
	addFile(t, db, "会议纪要.pdf", "%PDF-1.4 minutes of the meeting")
	if f, err := db.OpenVerified(ctx, a.Hash); err != nil {
		t.Fatalf("after re-adding: %v", err)
	} else {
		f.Close()
	}
	os.Remove(p)
	_, err = db.OpenVerified(ctx, a.Hash)
	wantCode(t, err, assess.ENotFound)
	if !strings.Contains(err.Error(), "会议纪要.pdf") {
		t.Fatalf("error = %v", err)
	}
	_, err = db.OpenVerified(ctx, "../../etc/passwd")
	wantCode(t, err, assess.EInvalid)
	_, err = db.OpenBlob(ctx, a.Hash)
	wantCode(t, err, assess.ENotFound)
}

func TestCommitPartial(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	content := []byte("%PDF-1.7 downloaded evidence " + strings.Repeat("z", 3000))
	h := hashOf(content)
	p := db.PartialPath(h)
	if filepath.Dir(p) != db.partialDir() || !strings.Contains(filepath.Base(p), h) {
		t.Fatalf("PartialPath = %s", p)
	}
	if q := db.PartialPath("../../x"); filepath.Dir(q) != db.partialDir() {
		t.Fatalf("a bad hash escapes the folder: %s", q)
	}

	// A wrong body: refused and removed.
	os.WriteFile(p, append([]byte{}, content[:100]...), 0o600)
	err := db.CommitPartial(ctx, h)
	wantCode(t, err, assess.EInvalid)
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("a mismatching partial file was kept")
	}
	if ok, _ := db.HasBlob(ctx, h); ok {
		t.Fatal("a mismatching file entered the store")
	}
	wantCode(t, db.CommitPartial(ctx, h), assess.ENotFound)

	// Resumed in two pieces: accepted.
	os.WriteFile(p, content[:1000], 0o600)
	f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	f.Write(content[1000:])
	f.Close()
	if err := db.CommitPartial(ctx, h); err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.HasBlob(ctx, h); !ok {
		t.Fatal("committed file not in the store")
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatal("the partial file is still there")
	}
	r, err := db.OpenVerified(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, content) {
		t.Fatal("content differs")
	}
	// A damaged download is removed on read, so that it is fetched again.
	bp := db.blobPath(h)
	os.WriteFile(bp, []byte("garbage"), 0o600)
	_, err = db.OpenVerified(ctx, h)
	wantCode(t, err, assess.EInvalid)
	if ok, _ := db.HasBlob(ctx, h); ok {
		t.Fatal("a damaged download stayed in the store")
	}
}

func TestPendingUploadsAndUploadState(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reporter1)
	a := addFile(t, db, "文件.pdf", "%PDF one")
	b := addFile(t, db, "照片.png", "\x89PNG two")
	a0 := a
	a0.Slot = 0
	// The same file in two tasks and twice in one change is sent once.
	if err := db.SaveDraft(ctx, assess.TaskID(ind1.ID, unit1.ID), "", []assess.Attachment{a0, a, b}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveDraft(ctx, assess.TaskID(ind2.ID, unit1.ID), "", []assess.Attachment{a}); err != nil {
		t.Fatal(err)
	}
	addFile(t, db, "无关.pdf", "%PDF unrelated")
	ups, err := db.PendingUploads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "uploads", ups, []client.LocalBlob{{Hash: a.Hash, Name: a.Name, Size: a.Size}, {Hash: b.Hash, Name: b.Name, Size: b.Size}})

	if u, _ := db.UploadURL(ctx, a.Hash); u != "" {
		t.Fatalf("UploadURL = %q", u)
	}
	if err := db.SetUploadURL(ctx, a.Hash, "http://server/api/v1/uploads/abc"); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.UploadURL(ctx, a.Hash); u != "http://server/api/v1/uploads/abc" {
		t.Fatalf("UploadURL = %q", u)
	}
	if err := db.MarkUploaded(ctx, a.Hash); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.UploadURL(ctx, a.Hash); u != "" {
		t.Fatalf("UploadURL after upload = %q", u)
	}
	ups, _ = db.PendingUploads(ctx)
	equal(t, "uploads", ups, []client.LocalBlob{{Hash: b.Hash, Name: b.Name, Size: b.Size}})

	// Once the changes are applied, nothing is left to upload.
	cs, _ := db.Pending(ctx, 0)
	var rs []wire.Result
	for _, c := range cs {
		rs = append(rs, wire.Result{ID: c.ID, Status: wire.Applied})
	}
	db.RecordResults(ctx, rs)
	if ups, _ = db.PendingUploads(ctx); len(ups) != 0 {
		t.Fatalf("uploads = %+v", ups)
	}
	r, err := db.OpenBlob(ctx, b.Hash)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}

func TestClearCacheKeepsTheUsersWork(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	login(t, db, reporter1)
	download := func(content string) string {
		h := hashOf([]byte(content))
		os.WriteFile(db.PartialPath(h), []byte(content), 0o600)
		if err := db.CommitPartial(ctx, h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	unused := download("%PDF unused download")
	inDraft := download("%PDF download attached to a draft")
	own := addFile(t, db, "自己的.pdf", "%PDF my own, unsent")
	ownSent := addFile(t, db, "已发送.pdf", "%PDF my own, sent")
	db.MarkUploaded(ctx, ownSent.Hash)
	if err := db.SaveDraft(ctx, assess.TaskID(ind1.ID, unit1.ID), "", []assess.Attachment{
		{Hash: inDraft, Name: "下载的.pdf", Size: int64(len("%PDF download attached to a draft")), Slot: -1}, own}); err != nil {
		t.Fatal(err)
	}
	freed, err := db.ClearCache(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if freed != int64(len("%PDF unused download")) {
		t.Fatalf("freed %d bytes", freed)
	}
	for h, want := range map[string]bool{unused: false, inDraft: true, own.Hash: true, ownSent.Hash: true} {
		if ok, _ := db.HasBlob(ctx, h); ok != want {
			t.Errorf("HasBlob(%s) = %v after ClearCache, want %v", h[:8], ok, want)
		}
	}
}
