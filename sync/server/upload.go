package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/tus/tusd/v2/pkg/filestore"
	tus "github.com/tus/tusd/v2/pkg/handler"
	expslog "golang.org/x/exp/slog"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// metaOwner is the upload metadata key under which the server records the
// ID of the user who created an upload; whatever a client sends under it is
// replaced.
const metaOwner = "owner"

// headBytes is how much of a finished upload CheckContent inspects.
const headBytes = 512

// uploadID matches the IDs filestore gives uploads.
var uploadID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// initTus sets up the tusd handler: core, creation and termination, files
// kept in dir until they are verified and moved into the BlobStore.
func (s *Server) initTus(dir string) error {
	s.uploads = newHashingStore(dir)
	composer := tus.NewStoreComposer()
	composer.UseCore(s.uploads)
	composer.UseTerminater(s.uploads)
	newQueueLocker().UseIn(composer)
	h, err := tus.NewUnroutedHandler(tus.Config{
		StoreComposer:             composer,
		BasePath:                  wire.UploadsPath,
		MaxSize:                   s.maxUpload,
		DisableDownload:           true,
		DisableConcatenation:      true,
		Cors:                      &tus.CorsConfig{Disable: true},
		Logger:                    expslog.New(tusLog{log: s.log}),
		PreUploadCreateCallback:   s.preCreate,
		PreFinishResponseCallback: s.preFinish,
	})
	if err != nil {
		return fmt.Errorf("server: tus handler: %w", err)
	}
	s.tus = h
	return nil
}

// tusHandler returns the handler of one tus method: the caller's ownership
// of an existing upload is checked first, tusd answers the rest, and its
// plain-text errors are answered as wire.Error JSON.
func (s *Server) tusHandler(method string) http.HandlerFunc {
	var serve http.HandlerFunc
	switch method {
	case http.MethodPost:
		serve = s.tus.PostFile
	case http.MethodHead:
		serve = s.tus.HeadFile
	case http.MethodPatch:
		serve = s.tus.PatchFile
	case http.MethodDelete:
		serve = s.tus.DelFile
	default:
		panic("tusHandler: unsupported method " + method)
	}
	inner := s.tus.Middleware(http.StripPrefix(wire.UploadsPath, serve))
	return func(w http.ResponseWriter, r *http.Request) {
		// Methods are only what they say: no X-HTTP-Method-Override turning a
		// creation into a PATCH of someone else's upload.
		r.Header.Del("X-HTTP-Method-Override")
		if method != http.MethodPost {
			if err := s.checkUploadOwner(r); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		tw := &tusErrorWriter{ResponseWriter: w, head: r.Method == http.MethodHead}
		inner.ServeHTTP(tw, r)
		tw.finish()
	}
}

// checkUploadOwner refuses access to an upload another user created.
func (s *Server) checkUploadOwner(r *http.Request) error {
	u, _ := userFrom(r.Context())
	id := r.PathValue("id")
	notFound := assess.Errorf(assess.ENotFound, "上传任务不存在或已结束；请先查询该文件是否已在服务器上，否则重新上传 (upload not found)")
	if !uploadID.MatchString(id) {
		return notFound
	}
	up, err := s.uploads.GetUpload(r.Context(), id)
	if errors.Is(err, tus.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return fmt.Errorf("upload %s: %w", id, err)
	}
	info, err := up.GetInfo(r.Context())
	if err != nil {
		return fmt.Errorf("upload %s: %w", id, err)
	}
	if info.MetaData[metaOwner] != u.ID {
		return assess.Errorf(assess.EForbidden, "这是其他用户创建的上传，不能查看、续传或删除 (the upload belongs to another user)")
	}
	return nil
}

// tusError turns an error into a tusd error answered as wire.Error JSON.
func tusError(err error) tus.Error {
	status, body := errorBody(err)
	return tus.Error{
		ErrorCode: body.Code,
		Message:   body.Message,
		HTTPResponse: tus.HTTPResponse{
			StatusCode: status,
			Body:       mustJSON(body),
			Header:     tus.HTTPHeader{"Content-Type": "application/json; charset=utf-8"},
		},
	}
}

// preCreate checks a new upload: the declared SHA-256 and file name, a size
// within bounds, and a file not already on the server. It records the
// uploading user and keeps only the known metadata.
func (s *Server) preCreate(hook tus.HookEvent) (tus.HTTPResponse, tus.FileInfoChanges, error) {
	u, ok := userFrom(hook.Context)
	if !ok {
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tusError(assess.Errorf(assess.EUnauthorized, "请先登录 (login required)"))
	}
	info := hook.Upload
	hash, name := info.MetaData[wire.MetaHash], info.MetaData[wire.MetaFilename]
	if _, has := info.MetaData[wire.MetaHash]; !has {
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tusError(assess.Errorf(assess.EInvalid, "上传请求缺少文件摘要 hash（Upload-Metadata 中的 SHA-256）(the hash metadata is required)"))
	}
	if err := assess.ValidateHash(hash); err != nil {
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tusError(err)
	}
	if err := assess.ValidateFileName(name); err != nil {
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tusError(err)
	}
	if info.SizeIsDeferred {
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tusError(assess.Errorf(assess.EInvalid, "上传前需要声明文件大小 Upload-Length (the upload length must be declared)"))
	}
	if info.Size <= 0 {
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tusError(assess.CheckContent(name, 0, nil))
	}
	if info.Size > s.maxUpload {
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tusError(assess.Errorf(assess.ETooLarge,
			"文件“%s”超过允许的大小（%d 字节），请压缩或拆分后再上传 (file larger than allowed)", name, s.maxUpload))
	}
	switch _, err := s.store.Blob(hook.Context, hash); assess.ErrorCode(err) {
	case "":
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tusError(assess.Errorf(assess.EConflict,
			"服务器上已有该文件（SHA-256 %s…），无需再次上传 (the file is already on the server)", hash[:12]))
	case assess.ENotFound:
	default:
		return tus.HTTPResponse{}, tus.FileInfoChanges{}, tusError(err)
	}
	meta := tus.MetaData{wire.MetaHash: hash, wire.MetaFilename: name, metaOwner: u.ID}
	return tus.HTTPResponse{}, tus.FileInfoChanges{MetaData: meta}, nil
}

// preFinish runs when the last byte of an upload has arrived: the content
// is checked and its SHA-256 compared with the declared one; only a file
// that passes is moved into the BlobStore and recorded. Any failure removes
// the upload, so that nothing half-checked remains and the client starts
// again.
func (s *Server) preFinish(hook tus.HookEvent) (tus.HTTPResponse, error) {
	ctx, info := hook.Context, hook.Upload
	bin, infoPath := info.Storage[filestore.StorageKeyPath], info.Storage[filestore.StorageKeyInfoPath]
	hash, name := info.MetaData[wire.MetaHash], info.MetaData[wire.MetaFilename]
	discard := func() {
		for _, p := range []string{bin, infoPath} {
			if err := removeIfExists(p); err != nil {
				s.log.ErrorContext(ctx, "remove upload files", "upload", info.ID, "error", err.Error())
			}
		}
	}
	u, ok := userFrom(ctx)
	if !ok || u.ID != info.MetaData[metaOwner] {
		return tus.HTTPResponse{}, tusError(assess.Errorf(assess.EForbidden, "这是其他用户创建的上传 (the upload belongs to another user)"))
	}
	sum, summed := s.uploads.sum(info.ID, info.Size)
	if err := checkHead(bin, name, info.Size); err != nil {
		discard()
		return tus.HTTPResponse{}, tusError(err)
	}
	var err error
	switch {
	case !summed:
		err = s.blobs.Put(ctx, bin, hash)
	case sum != hash:
		err = ErrHashMismatch
	default:
		err = s.blobs.PutVerified(ctx, bin, hash)
	}
	if err != nil {
		discard()
		if errors.Is(err, ErrHashMismatch) {
			return tus.HTTPResponse{}, tusError(assess.Errorf(assess.EInvalid,
				"文件“%s”的内容与声明的 SHA-256 摘要不一致，可能在传输中损坏，请重新上传 (the content does not match the declared SHA-256)", name))
		}
		return tus.HTTPResponse{}, tusError(err)
	}
	blob := Blob{Hash: hash, Size: info.Size, Name: name, UploadedBy: u.ID, UnitID: u.UnitID, CreatedAt: s.now().UTC()}
	if err := s.store.AddBlob(ctx, blob); err != nil {
		// Another upload of the same file may have been recorded meanwhile.
		if _, err2 := s.store.Blob(ctx, hash); err2 != nil {
			discard()
			return tus.HTTPResponse{}, tusError(err)
		}
	}
	discard()
	s.log.InfoContext(ctx, "evidence stored", "hash", hash, "size", info.Size, "user", u.ID)
	return tus.HTTPResponse{}, nil
}

// checkHead reads the first bytes of a finished upload for CheckContent.
func checkHead(path, name string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read upload: %w", err)
	}
	defer f.Close()
	head := make([]byte, headBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read upload: %w", err)
	}
	return assess.CheckContent(name, size, head[:n])
}

// tusErrorWriter answers tusd's own plain-text errors ("ERR_CODE: message")
// as wire.Error JSON with a Chinese message, keeping tusd's status code,
// which tus clients act on.
type tusErrorWriter struct {
	http.ResponseWriter
	head   bool
	status int // an error status held back until finish
	body   bytes.Buffer
}

func (w *tusErrorWriter) WriteHeader(status int) {
	if w.status == 0 && status >= 400 && strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		w.status = status
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *tusErrorWriter) Write(p []byte) (int, error) {
	if w.status != 0 {
		if w.body.Len() < 4096 {
			w.body.Write(p)
		}
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *tusErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *tusErrorWriter) finish() {
	if w.status == 0 {
		return
	}
	tusCode, _, _ := strings.Cut(strings.TrimSpace(w.body.String()), ":")
	status, e := translateTus(tusCode, w.status)
	body := mustJSON(e)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Del("Content-Length")
	if !w.head {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.ResponseWriter.WriteHeader(status)
	if !w.head {
		_, _ = io.WriteString(w.ResponseWriter, body)
	}
}

// tusMessages are the Chinese messages of tusd's errors.
var tusMessages = map[string]wire.Error{
	"ERR_UPLOAD_NOT_FOUND":        {Code: assess.ENotFound, Message: "上传任务不存在或已结束；请先查询该文件是否已在服务器上，否则重新上传 (upload not found)"},
	"ERR_MISMATCHED_OFFSET":       {Code: assess.EConflict, Message: "续传位置与服务器记录不一致，请先用 HEAD 查询已上传的字节数再续传 (Upload-Offset does not match the server's offset)"},
	"ERR_UPLOAD_LOCKED":           {Code: assess.EConflict, Message: "该文件正在由另一个请求上传，请稍后重试 (the upload is locked by another request)"},
	"ERR_LOCK_TIMEOUT":            {Code: assess.EUnavailable, Message: "该文件正在由另一个请求上传，请稍后重试 (timed out waiting for the upload lock)"},
	"ERR_UNSUPPORTED_VERSION":     {Code: assess.EInvalid, Message: "请求缺少 Tus-Resumable: 1.0.0 头，客户端需要使用 tus 1.0 协议 (tus 1.0.0 required)"},
	"ERR_MAX_SIZE_EXCEEDED":       {Code: assess.ETooLarge, Message: "文件超过允许的大小，请压缩或拆分后再上传 (file larger than allowed)"},
	"ERR_UPLOAD_SIZE_EXCEEDED":    {Code: assess.ETooLarge, Message: "发送的数据超过了声明的文件大小 (more data than the declared length)"},
	"ERR_INVALID_CONTENT_TYPE":    {Code: assess.EInvalid, Message: "续传请求的 Content-Type 应为 application/offset+octet-stream (wrong Content-Type)"},
	"ERR_INVALID_UPLOAD_LENGTH":   {Code: assess.EInvalid, Message: "缺少或无效的 Upload-Length 文件大小 (missing or invalid Upload-Length)"},
	"ERR_AMBIGUOUS_UPLOAD_LENGTH": {Code: assess.EInvalid, Message: "不能同时给出 Upload-Length 和 Upload-Defer-Length (ambiguous upload length)"},
	"ERR_INVALID_OFFSET":          {Code: assess.EInvalid, Message: "缺少或无效的 Upload-Offset 续传位置 (missing or invalid Upload-Offset)"},
	"ERR_NOT_IMPLEMENTED":         {Code: assess.EInvalid, Message: "服务器不支持这种上传方式，请在创建上传时声明文件大小 Upload-Length (not supported: declare Upload-Length)"},
	"ERR_UPLOAD_INTERRUPTED":      {Code: assess.EConflict, Message: "上传被同一文件的新请求中断，请从服务器记录的位置续传 (interrupted by a newer request for the same upload)"},
	"ERR_UNEXPECTED_EOF":          {Code: assess.EUnavailable, Message: "上传中断，请先查询已上传的字节数再续传 (the connection ended early; resume from the server's offset)"},
	"ERR_READ_TIMEOUT":            {Code: assess.EUnavailable, Message: "上传超时，请先查询已上传的字节数再续传 (read timeout; resume from the server's offset)"},
	"ERR_CONNECTION_RESET":        {Code: assess.EUnavailable, Message: "连接被重置，请先查询已上传的字节数再续传 (connection reset; resume from the server's offset)"},
	"ERR_SERVER_SHUTDOWN":         {Code: assess.EUnavailable, Message: "服务器正在关闭，请稍后续传 (the server is shutting down)"},
}

// translateTus returns the status and body to answer for a tusd error code
// and the status tusd chose. Only "not implemented" changes status: it
// means a request this server does not take (400), not a missing feature.
func translateTus(code string, status int) (int, wire.Error) {
	if code == "ERR_NOT_IMPLEMENTED" {
		status = http.StatusBadRequest
	}
	if e, ok := tusMessages[code]; ok {
		return status, e
	}
	if status >= 500 {
		return status, wire.Error{Code: assess.EInternal, Message: assess.ErrorMessage(errors.New(code))}
	}
	return status, wire.Error{Code: wire.CodeOf(status), Message: "上传请求不符合 tus 1.0 协议 (invalid tus request)"}
}

// tusLog passes tusd's warnings and errors on to the server's logger; its
// per-request chatter stays out.
type tusLog struct {
	log   *slog.Logger
	attrs []any
}

func (t tusLog) Enabled(_ context.Context, l expslog.Level) bool { return l >= expslog.LevelWarn }

func (t tusLog) Handle(ctx context.Context, r expslog.Record) error {
	args := append([]any{"component", "tus"}, t.attrs...)
	r.Attrs(func(a expslog.Attr) bool {
		args = append(args, a.Key, a.Value.String())
		return true
	})
	t.log.Log(ctx, slog.Level(r.Level), r.Message, args...)
	return nil
}

func (t tusLog) WithAttrs(attrs []expslog.Attr) expslog.Handler {
	next := tusLog{log: t.log, attrs: append([]any{}, t.attrs...)}
	for _, a := range attrs {
		next.attrs = append(next.attrs, a.Key, a.Value.String())
	}
	return next
}

func (t tusLog) WithGroup(string) expslog.Handler { return t }
