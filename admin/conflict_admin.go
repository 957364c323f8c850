package admin

import (
	"context"
	"fmt"

	"anchorage/conflict"
	"anchorage/protocol/engine"
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
func (e *Admin) SetConflictRules(ctx context.Context, user, datastore string, rules *conflict.Rules) error {
	if datastore != "" {
		name, ok := engine.ResolveDatastore(datastore)
		if !ok {
			return unknownDatastore(datastore)
		}
		datastore = name
	}
	return e.update(ctx, func(tx store.Tx) error {
		u, err := adminUser(ctx, tx, user)
		if err != nil {
			return err
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
func (e *Admin) ConflictRules(ctx context.Context, user string) ([]ConflictReport, error) {
	var out []ConflictReport
	err := e.core.View(ctx, func(w *engine.Work) error {
		tx := w.Tx()
		u, err := adminUser(ctx, tx, user)
		if err != nil {
			return err
		}
		settings, err := tx.ConflictSettings(ctx, u.ID)
		if err != nil {
			return fmt.Errorf("admin: conflict settings of %q: %w", user, err)
		}
		for _, ds := range engine.Datastores {
			r := ConflictReport{Datastore: ds, Source: "server"}
			if r.Rules, err = w.ConflictRules(u.ID, ds); err != nil {
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
