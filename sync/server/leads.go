package server

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// MaxServiceTokenTTL bounds the life of a service account's token.
const MaxServiceTokenTTL = 10 * 366 * 24 * time.Hour

// DecodeLeadBatch reads a lead import strictly (see decodeStrict): a
// "leads" array of at most wire.MaxLeadBatch leads. Whether each lead is
// well formed and names a known unit, indicator and year is the store's to
// judge, for the whole batch before any of it is applied.
func DecodeLeadBatch(rd io.Reader) (wire.LeadBatch, error) {
	var batch wire.LeadBatch
	if err := decodeStrict(rd, &batch); err != nil {
		return wire.LeadBatch{}, err
	}
	if batch.Leads == nil {
		return wire.LeadBatch{}, assess.Errorf(assess.EInvalid, "请求缺少 leads 数组 (the leads array is required)")
	}
	if len(batch.Leads) > wire.MaxLeadBatch {
		return wire.LeadBatch{}, assess.Errorf(assess.ETooLarge, "一次最多导入 %d 条线索，本次有 %d 条，请分批导入 (too many leads in one batch)",
			wire.MaxLeadBatch, len(batch.Leads))
	}
	return batch, nil
}

// handleLeads imports a batch of leads (督察线索) that another government
// system sends, all or none, and answers what happened to each lead.
func (s *Server) handleLeads(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r.Context())
	batch, err := DecodeLeadBatch(http.MaxBytesReader(w, r.Body, wire.MaxBodyBytes))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.store.ImportLeads(r.Context(), u, batch)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if resp.Results == nil {
		resp.Results = []wire.LeadResult{}
	}
	writeJSON(w, http.StatusOK, resp)
}

// IssueServiceToken starts a session of ttl for the service account with
// the given username, for another government system to import leads with
// (`yiwangtong-server token`). It returns the token, which exists nowhere
// else: the store keeps only its hash. Other roles and disabled accounts are
// refused. Disabling the account or setting its password ends the session.
func IssueServiceToken(ctx context.Context, st Store, username string, now time.Time, ttl time.Duration) (string, Session, error) {
	if ttl <= 0 || ttl > MaxServiceTokenTTL {
		return "", Session{}, assess.Errorf(assess.EInvalid, "令牌有效期应在 1 天到 10 年之间 (token lifetime must be 1 day to 10 years)")
	}
	u, _, err := st.UserByUsername(ctx, username)
	if err != nil {
		return "", Session{}, err
	}
	if u.Role != assess.Service {
		return "", Session{}, assess.Errorf(assess.EInvalid,
			"用户“%s”是%s，只能为接口账号（service）签发长期令牌；请先用 user add --role service 添加接口账号 (tokens are only issued to service accounts)",
			u.Username, u.Role.Label())
	}
	if u.Disabled {
		return "", Session{}, assess.Errorf(assess.EConflict, "接口账号“%s”已停用，请先启用再签发令牌 (the account is disabled)", u.Username)
	}
	token, err := newToken()
	if err != nil {
		return "", Session{}, err
	}
	now = now.UTC()
	// Addr stays empty: the token is issued on the server's command line.
	sess := Session{TokenHash: tokenHash(token), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := st.AddSession(ctx, sess); err != nil {
		return "", Session{}, err
	}
	return token, sess, nil
}
