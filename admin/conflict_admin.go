package engine

import (
	"context"
	"fmt"

	"anchorage/conflict"
	"anchorage/store"
)

// ConflictReport is the conflict rule in force for one of a user's
// datastores and where it comes from ("datastore", "user" or "server").
type ConflictReport struct {
	Datastore string
	Rules     conflict.Rules
	Source    string
}

// SetConflictRules stores the conflict rule of a user's datastore, or of all
// the user's datastores when datastore is "". A nil rules removes the
// setting, so the next broader one applies again. Sessions opened after
// the change use it.
func (e *Engine) SetConflictRules(ctx context.Context, user, datastore string, rules *conflict.Rules) error {
	if datastore != "" {
		name, ok := ResolveDatastore(datastore)
		if !ok {
			return fmt.Errorf("engine: unknown datastore %q (use contacts, calendar, tasks or notes)", datastore)
		}
		datastore = name
	}
	return e.store.Update(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, user)
		if err != nil {
			return fmt.Errorf("engine: user %q: %w", user, err)
		}
		if rules == nil {
			return tx.DeleteConflictSetting(ctx, u.ID, datastore)
		}
		p, err := conflict.ParsePolicy(string(rules.Policy))
		if err != nil {
			return err
		}
		return tx.PutConflictSetting(ctx, &store.ConflictSetting{UserID: u.ID, Datastore: datastore,
			Policy: string(p), DeleteWins: rules.DeleteWins})
	})
}

// ConflictRules reports the rule in force for each of a user's datastores.
func (e *Engine) ConflictRules(ctx context.Context, user string) ([]ConflictReport, error) {
	var out []ConflictReport
	err := e.store.View(ctx, func(tx store.Tx) error {
		u, err := tx.UserByName(ctx, user)
		if err != nil {
			return fmt.Errorf("engine: user %q: %w", user, err)
		}
		settings, err := tx.ConflictSettings(ctx, u.ID)
		if err != nil {
			return fmt.Errorf("engine: conflict settings of %q: %w", user, err)
		}
		for _, ds := range Datastores {
			r := ConflictReport{Datastore: ds, Source: "server"}
			if r.Rules, err = e.conflictRules(ctx, tx, u.ID, ds); err != nil {
				return err
			}
			for _, s := range settings {
				switch s.Datastore {
				case "":
					if r.Source == "server" {
						r.Source = "user"
					}
				case ds:
					r.Source = "datastore"
				}
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}
