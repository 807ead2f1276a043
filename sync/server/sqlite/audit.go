package sqlite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"strconv"
	"time"

	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// Audit actions that are not change kinds.
const (
	actionUserAdd     = "user.add"
	actionUserPasswd  = "user.password"
	actionUserDisable = "user.disable"
	actionUserEnable  = "user.enable"
	actionBlobAdd     = "blob.add"
	actionBlobGrant   = "blob.grant"
)

// systemActor is the actor of events no logged-in user caused, such as an
// account made from the command line.
const systemActor = wire.SystemActor

// auditEvent is one link of the audit chain.
type auditEvent struct {
	Seq     int64
	Time    int64 // Unix nanoseconds
	Actor   string
	Action  string
	Subject string
	Data    string // JSON
	Prev    string // the previous event's hash, "" for the first
	Hash    string
}

// sum returns the event's hash: SHA-256 over every other field, each written
// as its length, a colon and its bytes, so that no two events encode alike.
func (e auditEvent) sum() string {
	h := sha256.New()
	for _, f := range []string{
		strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.Time, 10),
		e.Actor, e.Action, e.Subject, e.Data, e.Prev,
	} {
		field(h, f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func field(h hash.Hash, s string) {
	h.Write([]byte(strconv.Itoa(len(s))))
	h.Write([]byte{':'})
	h.Write([]byte(s))
}

// audit appends an event to the chain. data is encoded as JSON; callers
// never pass password hashes or tokens.
func (t *txn) audit(actor, action, subject string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	var head auditEvent
	if err := t.queryRow(`SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head.Seq, &head.Hash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	e := auditEvent{
		Seq: head.Seq + 1, Time: nanos(t.now), Actor: actor, Action: action,
		Subject: subject, Data: string(b), Prev: head.Hash,
	}
	e.Hash = e.sum()
	if _, err := t.exec(`INSERT INTO audit (seq, time, actor, action, subject, data, prev, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, e.Time, e.Actor, e.Action, e.Subject, e.Data, e.Prev, e.Hash); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	if _, err := t.exec(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, e.Seq, e.Hash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

// VerifyAudit recomputes the chain from the first event and reports the
// first broken link.
func (s *Store) VerifyAudit(ctx context.Context) (wire.AuditReport, error) {
	var rep wire.AuditReport
	err := s.read(ctx, func(t *txn) error {
		var head auditEvent
		if err := t.queryRow(`SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head.Seq, &head.Hash); err != nil {
			return fmt.Errorf("audit head: %w", err)
		}
		rows, err := t.query(`SELECT seq, time, actor, action, subject, data, prev, hash FROM audit ORDER BY seq`)
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		defer rows.Close()
		var last auditEvent
		for rows.Next() {
			var e auditEvent
			if err := rows.Scan(&e.Seq, &e.Time, &e.Actor, &e.Action, &e.Subject, &e.Data, &e.Prev, &e.Hash); err != nil {
				return fmt.Errorf("audit: %w", err)
			}
			if msg := checkLink(last, e); msg != "" {
				rep.Error = msg
				return nil
			}
			rep.Events++
			last = e
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		if last.Seq != head.Seq || last.Hash != head.Hash {
			rep.Error = fmt.Sprintf("审计链末尾不完整：应有 %d 条事件，实际最后一条是第 %d 条，最后的事件可能被删除或改动 (audit chain truncated: the head is event %d, the last event found is %d)",
				head.Seq, last.Seq, head.Seq, last.Seq)
			return nil
		}
		rep.OK = true
		rep.Head = last.Hash
		return nil
	})
	return rep, err
}

// AuditEvents returns a page of the audit chain: the events after seq
// after whose time lies in [from, to) (a zero bound is open), in sequence
// order, at most limit of them (limit ≤ 0 means wire.DefaultPageSize). Each
// carries its acting user's current name; the "system" actor has none.
// The events are read as stored, so their hashes are the chain's own.
func (s *Store) AuditEvents(ctx context.Context, from, to time.Time, after int64, limit int) ([]wire.AuditEvent, error) {
	if limit <= 0 {
		limit = wire.DefaultPageSize
	}
	lo, hi := boundNanos(from, math.MinInt64), boundNanos(to, math.MaxInt64)
	var out []wire.AuditEvent
	err := s.read(ctx, func(t *txn) error {
		rows, err := t.query(`SELECT a.seq, a.time, a.actor, COALESCE(u.name, ''), a.action, a.subject, a.data, a.prev, a.hash
			FROM audit a LEFT JOIN users u ON u.id = a.actor
			WHERE a.seq > ? AND a.time >= ? AND a.time < ?
			ORDER BY a.seq LIMIT ?`, after, lo, hi, limit)
		if err != nil {
			return fmt.Errorf("audit events: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e auditEvent
			var name string
			if err := rows.Scan(&e.Seq, &e.Time, &e.Actor, &name, &e.Action, &e.Subject, &e.Data, &e.Prev, &e.Hash); err != nil {
				return fmt.Errorf("audit events: %w", err)
			}
			out = append(out, wire.AuditEvent{
				Seq: e.Seq, Time: fromNanos(e.Time), Actor: e.Actor, ActorName: name, Action: e.Action,
				Subject: e.Subject, Data: json.RawMessage(e.Data), Prev: e.Prev, Hash: e.Hash,
			})
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("audit events: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// boundNanos returns t as stored (Unix nanoseconds), open when t is zero,
// clamped to the range a stored time can have.
func boundNanos(t time.Time, open int64) int64 {
	switch {
	case t.IsZero():
		return open
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// checkLink checks event e against the one before it (the zero event before
// the first) and says in Chinese what is wrong, or "" when the link holds.
func checkLink(prev, e auditEvent) string {
	want := prev.Seq + 1
	switch {
	case e.Seq != want:
		return fmt.Sprintf("审计链在第 %d 条事件处断裂：此处应为第 %d 条，事件缺失或顺序被改动 (audit chain broken at event %d: expected event %d, events are missing or reordered)",
			e.Seq, want, e.Seq, want)
	case e.Prev != prev.Hash:
		return fmt.Sprintf("审计链在第 %d 条事件处断裂：记录的上一条摘要与第 %d 条事件不符，前面的事件可能被删除、调换或改动 (audit chain broken at event %d: previous-hash mismatch)",
			e.Seq, prev.Seq, e.Seq)
	case e.sum() != e.Hash:
		return fmt.Sprintf("审计链在第 %d 条事件处断裂：事件内容与其摘要不符，记录已被改动 (audit chain broken at event %d: the event was altered)",
			e.Seq, e.Seq)
	}
	return ""
}
