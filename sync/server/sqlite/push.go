package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// maxChangeIDBytes bounds a client-generated change ID.
const maxChangeIDBytes = 128

// op is one pushed change being applied: the transaction, the acting user,
// and what the change leaves for the end of the batch.
type op struct {
	*txn
	user    assess.User
	subject string // the audit subject, set by the rule
	// dirty collects the (year, group) standings the change affects; they
	// are recomputed once, after the whole batch.
	dirty map[standingKey]bool
	// replaces is the earlier version of the record the change replaced,
	// for the audit event; nil when there was none.
	replaces any
	// changedLeads are the leads a lead import created or updated.
	changedLeads []assess.Lead
	// quiet says the change changed nothing (a lead import of leads all
	// unchanged), so it leaves no audit event.
	quiet bool
}

// rule applies one kind of change.
type rule struct {
	who   func(assess.User) error
	apply func(o *op, data json.RawMessage) error
}

// rules maps each change kind to who may push it and how it applies.
var rules = map[string]rule{
	wire.KindDraftSave:     {reporterOnly, applyDraftSave},
	wire.KindSubmit:        {reporterOnly, applySubmit},
	wire.KindRectRespond:   {reporterOnly, applyRectRespond},
	wire.KindReturn:        {reviewerOnly, applyReturn},
	wire.KindScore:         {reviewerOnly, applyScore},
	wire.KindRectVerify:    {reviewerOnly, applyRectVerify},
	wire.KindExternalSave:  {reviewerOnly, applyExternalSave},
	wire.KindYearSave:      {adminOnly, applyYearSave},
	wire.KindYearPublish:   {adminOnly, applyYearPublish},
	wire.KindYearClose:     {adminOnly, applyYearClose},
	wire.KindIndicatorSave: {adminOnly, applyIndicatorSave},
	wire.KindGroupSave:     {adminOnly, applyGroupSave},
	wire.KindUnitSave:      {adminOnly, applyUnitSave},

	wire.KindMilestoneFile:  {reporterOnly, applyMilestoneFile},
	wire.KindLeadImport:     {reviewerOnly, applyLeadImport},
	wire.KindLeadConsider:   {reviewerOnly, applyLeadConsider},
	wire.KindInspectionSave: {reviewerOnly, applyInspectionSave},
}

func reporterOnly(u assess.User) error {
	if u.Role != assess.Reporter {
		return assess.Errorf(assess.EForbidden, "只有填报用户可以填报和提交 (only reporting users may do this)")
	}
	return nil
}

func reviewerOnly(u assess.User) error {
	if u.Role != assess.Reviewer {
		return assess.Errorf(assess.EForbidden, "只有审核用户可以审核、赋分和录入评估结果 (only reviewers may do this)")
	}
	return nil
}

func adminOnly(u assess.User) error {
	if u.Role != assess.Reviewer || !u.Admin {
		return assess.Errorf(assess.EForbidden, "只有管理员可以管理年度、指标、分组和单位 (only administrators may do this)")
	}
	return nil
}

// bodyHash is the SHA-256 of a change's kind and its data in canonical JSON
// (keys sorted, no insignificant space), so that a retry that re-encodes the
// same body matches. Data that is not JSON is hashed as sent.
func bodyHash(c wire.Change) string {
	h := sha256.New()
	field(h, c.Kind)
	if canon, err := canonicalJSON(c.Data); err == nil {
		field(h, string(canon))
	} else {
		h.Write([]byte{'!'})
		field(h, string(c.Data))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// canonicalJSON re-encodes one JSON value with sorted object keys and the
// numbers exactly as written.
func canonicalJSON(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return json.Marshal(v)
}

func errReused() error {
	return assess.Errorf(assess.EConflict, "同一变更编号已用于不同内容 (change ID reused with a different body)")
}

// Push applies a batch of changes made by u in one transaction, each in a
// savepoint of its own so that a rejected change rolls back alone. A change
// ID already used with a different body (in the batch or before) fails the
// whole call with EConflict before anything is applied; a change already
// decided answers its original result.
func (s *Store) Push(ctx context.Context, u assess.User, changes []wire.Change) ([]wire.Result, error) {
	if len(changes) > wire.MaxPushChanges {
		return nil, assess.Errorf(assess.ETooLarge, "一次最多推送 %d 条变更，请分批推送 (at most %d changes per push)", wire.MaxPushChanges, wire.MaxPushChanges)
	}
	hashes := make([]string, len(changes))
	byID := make(map[string]string, len(changes))
	for i, c := range changes {
		hashes[i] = bodyHash(c)
		if h, ok := byID[c.ID]; ok && h != hashes[i] {
			return nil, errReused()
		}
		byID[c.ID] = hashes[i]
	}
	var results []wire.Result
	err := s.write(ctx, func(t *txn) error {
		results = make([]wire.Result, 0, len(changes))
		user, err := t.activeUser(u.ID)
		if err != nil {
			return err
		}
		for id, h := range byID {
			var by, stored string
			err := t.queryRow(`SELECT user_id, body_hash FROM changes WHERE id = ?`, id).Scan(&by, &stored)
			if isNoRows(err) {
				continue
			}
			if err != nil {
				return fmt.Errorf("push: %w", err)
			}
			if by != user.ID || stored != h {
				return errReused()
			}
		}
		dirty := map[standingKey]bool{}
		for i, c := range changes {
			r, err := t.pushOne(user, c, hashes[i], dirty)
			if err != nil {
				return fmt.Errorf("push %s (%s): %w", c.ID, c.Kind, err)
			}
			results = append(results, r)
		}
		return t.recomputeStandings(dirty)
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// pushOne decides one change. It returns an error only for a fault that
// must abort the whole batch; a rule's refusal is a rejected result.
func (t *txn) pushOne(user assess.User, c wire.Change, hash string, dirty map[standingKey]bool) (wire.Result, error) {
	if c.ID == "" || len(c.ID) > maxChangeIDBytes || !utf8.ValidString(c.ID) || strings.ContainsFunc(c.ID, func(r rune) bool { return r < ' ' }) {
		return rejected(c.ID, assess.Errorf(assess.EInvalid, "变更编号为空或格式不正确 (missing or malformed change ID)")), nil
	}
	var stored []byte
	err := t.queryRow(`SELECT result FROM changes WHERE id = ?`, c.ID).Scan(&stored)
	if err == nil {
		var r wire.Result
		if err := json.Unmarshal(stored, &r); err != nil {
			return wire.Result{}, fmt.Errorf("stored result: %w", err)
		}
		return r, nil
	}
	if !isNoRows(err) {
		return wire.Result{}, err
	}

	if _, err := t.ExecContext(t.ctx, `SAVEPOINT change`); err != nil {
		return wire.Result{}, err
	}
	o := &op{txn: t, user: user, dirty: map[standingKey]bool{}}
	t.seq = 0
	err = o.apply(c)
	var res wire.Result
	if err == nil && !o.quiet {
		err = t.audit(user.ID, c.Kind, o.subject, auditChange{ID: c.ID, MadeAt: c.MadeAt.UTC().Format(time.RFC3339Nano), Data: canonicalOrRaw(c.Data), Replaces: o.replaces})
	}
	if err == nil {
		res = wire.Result{ID: c.ID, Status: wire.Applied, HTTP: http.StatusOK, Seq: t.seq}
	}
	if err != nil {
		if _, rerr := t.ExecContext(t.ctx, `ROLLBACK TO change`); rerr != nil {
			return wire.Result{}, rerr
		}
		var e *assess.Error
		if !errors.As(err, &e) || e.Code == assess.EInternal {
			return wire.Result{}, err
		}
		res = rejected(c.ID, e)
	} else {
		for k := range o.dirty {
			dirty[k] = true
		}
	}
	if _, err := t.ExecContext(t.ctx, `RELEASE change`); err != nil {
		return wire.Result{}, err
	}
	if retryable(res.Code) {
		return res, nil
	}
	b, err := json.Marshal(res)
	if err != nil {
		return wire.Result{}, err
	}
	if _, err := t.exec(`INSERT INTO changes (id, user_id, body_hash, result, created_at) VALUES (?, ?, ?, ?, ?)`,
		c.ID, user.ID, hash, string(b), nanos(t.now)); err != nil {
		return wire.Result{}, fmt.Errorf("record change: %w", err)
	}
	return res, nil
}

// auditChange is what the audit event of a pushed change records.
type auditChange struct {
	ID     string          `json:"change_id"`
	MadeAt string          `json:"made_at"`
	Data   json.RawMessage `json:"data"`
	// Replaces is the version of the record the change replaced, so that
	// the audit log shows both.
	Replaces any `json:"replaces,omitempty"`
}

func canonicalOrRaw(data json.RawMessage) json.RawMessage {
	if c, err := canonicalJSON(data); err == nil {
		return c
	}
	b, _ := json.Marshal(string(data))
	return b
}

// retryable reports whether a rejection may turn out otherwise when the same
// change is pushed again (evidence uploaded meanwhile), so its result is not
// kept.
func retryable(code string) bool {
	return code == assess.EMissing || code == assess.EUnavailable || code == assess.ETooMany
}

func rejected(id string, err error) wire.Result {
	code := assess.ErrorCode(err)
	return wire.Result{ID: id, Status: wire.Rejected, HTTP: wire.Status(code), Code: code, Message: assess.ErrorMessage(err)}
}

// apply checks who may push the change and applies its rule.
func (o *op) apply(c wire.Change) error {
	r, ok := rules[c.Kind]
	if !ok {
		return assess.Errorf(assess.EInvalid, "未知的变更类型“%s”，请升级客户端 (unknown change kind)", printable(c.Kind))
	}
	if err := r.who(o.user); err != nil {
		return err
	}
	return r.apply(o, c.Data)
}

// decode reads a change's data into v.
func decode(data json.RawMessage, v any) error {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return assess.Errorf(assess.EInvalid, "变更内容为空 (the change has no data)")
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		return assess.Errorf(assess.EInvalid, "变更内容格式不正确，请检查客户端版本 (malformed change data: %s)", printable(err.Error()))
	}
	return nil
}

// printable shortens s and drops control characters, for echoing input in a
// message.
func printable(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	s = strings.ToValidUTF8(s, "?")
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r >= 0x200e && r <= 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			return '?'
		}
		return r
	}, s)
}
