package coresession

import (
	"context"

	"anchorage/protocol/activesync"
	"anchorage/protocol/engine"
)

// contactsPage is how many contacts Contacts reads per query.
const contactsPage = 500

// Contacts returns the user's live contacts (activesync.Searcher), the
// address list that Search and Find look through.
func (s *Session) Contacts(ctx context.Context) ([]activesync.Item, error) {
	var out []activesync.Item
	err := s.core.View(ctx, func(w *engine.Work) error {
		after := ""
		for {
			page, err := w.Tx().LiveItems(ctx, s.user.ID, engine.Contacts, after, contactsPage)
			if err != nil {
				return err
			}
			for _, it := range page {
				out = append(out, activesync.Item{Class: activesync.ClassContacts, Data: it.Data})
			}
			if len(page) < contactsPage {
				return nil
			}
			after = page[len(page)-1].GUID
		}
	})
	return out, err
}
