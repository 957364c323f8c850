// Package conflict decides what happens when a device changes an item that
// the server changed too since the device last synced. Decisions are pure
// and deterministic: (policy, what each side did) -> outcome and the SyncML
// status the device gets (OMA DS 1.2 Sync Protocol, status codes 208/209/419).
// The losing version is never destroyed: the store keeps every version.
package conflict

import "fmt"

// Policy names a conflict policy.
type Policy string

// Policies. ClientWins is the default until field-level merge exists.
const (
	ClientWins Policy = "client-wins"
	ServerWins Policy = "server-wins"
)

// ParsePolicy validates a policy name ("" gives the default).
func ParsePolicy(s string) (Policy, error) {
	switch Policy(s) {
	case "":
		return ClientWins, nil
	case ClientWins, ServerWins:
		return Policy(s), nil
	}
	return "", fmt.Errorf("conflict: unknown policy %q (want %s or %s)", s, ClientWins, ServerWins)
}

// Change is what one side did to the item.
type Change int

// Kinds of change.
const (
	Modified Change = iota
	Deleted
)

// Winner says whose version becomes the item's.
type Winner int

// Winners.
const (
	Client Winner = iota // the device's change is applied
	Server               // the server's version stays and goes back to the device
)

// Decision is the outcome of a conflict.
type Decision struct {
	Winner Winner
	// Status is the SyncML status for the device's command: 200 when its
	// change was applied, 419 (conflict, server wins) when it was not.
	Status int
}

// Decide resolves a conflict between the device's change and the server's.
// A modification always wins over a deletion, whichever side made it, so
// that nothing a user edited disappears.
func Decide(p Policy, client, server Change) Decision {
	switch {
	case client == Deleted && server == Modified:
		return Decision{Winner: Server, Status: 419}
	case client == Modified && server == Deleted:
		return Decision{Winner: Client, Status: 200}
	}
	if p == ServerWins {
		return Decision{Winner: Server, Status: 419}
	}
	return Decision{Winner: Client, Status: 200}
}
