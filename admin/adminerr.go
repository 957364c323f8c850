package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"anchorage/store"
)

// PlainError is an admin request's failure in the words of the person who
// made it: Msg names what they named (a user, a device, a datastore),
// never an internal id. Error is the whole chain, for the debug log.
type PlainError struct {
	Msg string
	Err error
}

func (e *PlainError) Error() string { return e.Err.Error() }
func (e *PlainError) Unwrap() error { return e.Err }

// plainf is a PlainError that has no cause below the admin operations.
func plainf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &PlainError{Msg: msg, Err: errors.New("admin: " + msg)}
}

// adminUser looks up the user an admin request names.
func adminUser(ctx context.Context, tx store.Tx, name string) (*store.User, error) {
	u, err := tx.UserByName(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, &PlainError{Msg: fmt.Sprintf("no user %q", name), Err: fmt.Errorf("admin: user %q: %w", name, err)}
	case err != nil:
		return nil, fmt.Errorf("admin: user %q: %w", name, err)
	}
	return u, nil
}

// noDevice is the error for a device the user does not have.
func noDevice(user, device string, err error) error {
	chain := fmt.Errorf("admin: device %q of %q: %w", device, user, err)
	if errors.Is(err, store.ErrNotFound) {
		return &PlainError{Msg: fmt.Sprintf("user %q has no device %q", user, device), Err: chain}
	}
	return chain
}

// unknownDatastore is the error for a datastore name ResolveDatastore
// does not know.
func unknownDatastore(name string) error {
	return plainf("unknown datastore %q (use contacts, calendar, tasks or notes)", name)
}

// noItem is the error for an item GUID the datastore does not hold.
func noItem(user, ds, guid string, err error) error {
	chain := fmt.Errorf("admin: item %s: %w", guid, err)
	if errors.Is(err, store.ErrNotFound) {
		return &PlainError{Msg: fmt.Sprintf("%s of user %q has no item %s", ds, user, guid), Err: chain}
	}
	return chain
}

// withArticle puts "a" or "an" before a noun: "an event", "a task".
func withArticle(noun string) string {
	if noun != "" && strings.ContainsRune("aeiouAEIOU", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}
