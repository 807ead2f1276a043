package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/server"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// Credential is a demo user's login, as printed by the server's demo
// command: username, role, unit and the password Load chose.
type Credential struct {
	Username string
	Role     assess.Role
	UnitID   string
	Password string
}

// Load writes a demo city into store at now. It creates the users with
// random passwords hashed by hash (the server's argon2id), and applies
// everything else through store.Push as the admin reviewer, exactly as a
// reviewer's client would: group.save, unit.save, year.save, indicator.save,
// year.publish, lead.import (and year.close for a closed year). Any rejected change
// fails the load. The credentials come back in the order of d.Users.
//
// The admin is created first and the other users after the units exist, so
// the load works whether or not the store checks a user's unit.
func Load(ctx context.Context, store server.Store, d Data, now time.Time, hash func(string) (string, error)) ([]Credential, error) {
	if hash == nil {
		return nil, errors.New("demo: no password hash function")
	}
	admin := -1
	for i, u := range d.Users {
		if u.Role == assess.Reviewer && u.Admin && !u.Disabled {
			admin = i
			break
		}
	}
	if admin < 0 {
		return nil, errors.New("demo: the data has no enabled admin reviewer")
	}
	creds := make([]Credential, len(d.Users))
	for i, u := range d.Users {
		pw, err := Password()
		if err != nil {
			return nil, err
		}
		creds[i] = Credential{Username: u.Username, Role: u.Role, UnitID: u.UnitID, Password: pw}
	}
	addUser := func(i int) error {
		h, err := hash(creds[i].Password)
		if err != nil {
			return fmt.Errorf("demo: hash the password of %s: %w", d.Users[i].Username, err)
		}
		if err := store.AddUser(ctx, d.Users[i], h); err != nil {
			return fmt.Errorf("demo: add user %s: %w", d.Users[i].Username, err)
		}
		return nil
	}
	if err := addUser(admin); err != nil {
		return nil, err
	}
	by := d.Users[admin]

	var org []change
	for _, g := range d.Groups {
		org = append(org, change{wire.KindGroupSave, g.ID, g})
	}
	for _, u := range d.Units {
		org = append(org, change{wire.KindUnitSave, u.ID, u})
	}
	if err := push(ctx, store, by, now, org); err != nil {
		return nil, err
	}
	for i := range d.Users {
		if i == admin {
			continue
		}
		if err := addUser(i); err != nil {
			return nil, err
		}
	}

	draft := d.Year
	draft.State = assess.YearDraft
	plan := []change{{wire.KindYearSave, draft.ID, draft}}
	for _, in := range d.Indicators {
		plan = append(plan, change{wire.KindIndicatorSave, in.Code, in})
	}
	ref := wire.YearRef{YearID: d.Year.ID}
	if d.Year.State == assess.YearPublished || d.Year.State == assess.YearClosed {
		plan = append(plan, change{wire.KindYearPublish, d.Year.ID, ref})
	}
	if len(d.Leads) > 0 {
		plan = append(plan, change{wire.KindLeadImport, "leads", wire.LeadBatch{Leads: d.Leads}})
	}
	if d.Year.State == assess.YearClosed {
		plan = append(plan, change{wire.KindYearClose, d.Year.ID, ref})
	}
	if err := push(ctx, store, by, now, plan); err != nil {
		return nil, err
	}
	return creds, nil
}

// change is one change Load pushes, with what it is about for messages.
type change struct {
	kind    string
	subject string
	data    any
}

// push applies changes in batches the protocol allows, in order, and fails
// on the first rejected one.
func push(ctx context.Context, store server.Store, by assess.User, now time.Time, cs []change) error {
	for len(cs) > 0 {
		n := min(len(cs), wire.MaxPushChanges)
		batch := make([]wire.Change, n)
		for i, c := range cs[:n] {
			data, err := json.Marshal(c.data)
			if err != nil {
				return fmt.Errorf("demo: encode %s %s: %w", c.kind, c.subject, err)
			}
			id, err := changeID()
			if err != nil {
				return err
			}
			batch[i] = wire.Change{ID: id, Kind: c.kind, Data: data, MadeAt: now}
		}
		results, err := store.Push(ctx, by, batch)
		if err != nil {
			return fmt.Errorf("demo: push: %w", err)
		}
		if len(results) != n {
			return fmt.Errorf("demo: push answered %d results for %d changes", len(results), n)
		}
		for i, r := range results {
			if r.Status != wire.Applied {
				return fmt.Errorf("demo: %s %s rejected: %w", cs[i].kind, cs[i].subject, assess.Errorf(r.Code, "%s", r.Message))
			}
		}
		cs = cs[n:]
	}
	return nil
}

func changeID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("demo: change ID: %w", err)
	}
	return "demo-" + hex.EncodeToString(b), nil
}

// Password returns a random, readable password of 12 letters and digits,
// with at least two of each, from crypto/rand.
func Password() (string, error) { return server.GeneratePassword(12) }
