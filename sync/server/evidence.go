package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
)

// handleEvidence answers GET (with Range) and HEAD of a stored evidence file
// the caller may read. A file the caller may not read is answered exactly
// like a missing one.
func (s *Server) handleEvidence(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, _ := userFrom(ctx)
	hash := r.PathValue("hash")
	if err := assess.ValidateHash(hash); err != nil {
		s.writeError(w, r, err)
		return
	}
	notFound := assess.Errorf(assess.ENotFound, "佐证材料不存在或无权查看 (evidence not found)")
	ok, err := s.store.CanReadBlob(ctx, u, hash)
	if err != nil && assess.ErrorCode(err) != assess.ENotFound {
		s.writeError(w, r, err)
		return
	}
	if !ok {
		s.writeError(w, r, notFound)
		return
	}
	blob, err := s.store.Blob(ctx, hash)
	if err != nil {
		if assess.ErrorCode(err) == assess.ENotFound {
			err = notFound
		}
		s.writeError(w, r, err)
		return
	}
	f, info, err := s.blobs.Open(ctx, hash)
	if err != nil {
		s.log.ErrorContext(ctx, "evidence file missing from the blob store", "hash", hash, "error", err.Error())
		s.writeError(w, r, assess.Errorf(assess.EInternal, "服务器上的佐证材料文件缺失，请联系管理员 (the evidence file is missing on the server)"))
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", assess.MIMEType(blob.Name))
	h.Set("Content-Disposition", contentDisposition(blob.Name))
	h.Set("ETag", `"`+hash+`"`)
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", info.ModTime, f)
}

// contentDisposition returns an attachment disposition carrying the UTF-8
// name (RFC 5987/6266 filename*) and an ASCII stand-in for old clients.
func contentDisposition(name string) string {
	fallback := strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == '%' || r == ';' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, fallback, escape5987(name))
}

// escape5987 percent-encodes every byte that is not an RFC 5987 attr-char.
func escape5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
