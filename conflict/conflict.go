// Package conflict decides what happens when a device changes an item that
// the server changed too since the device last synced. Decisions are pure
// and deterministic: (policy, base, server and client versions) -> outcome
// and the SyncML status the device gets (OMA DS 1.2 Representation
// Protocol, status codes 207/208/209/419). The losing version is never
// destroyed: the engine archives it (origin "conflict") before the winner.
package conflict

import (
	"fmt"
	"strings"
	"time"

	"anchorage/protocol/pim"
)

// Policy names a conflict policy.
type Policy string

// Policies. Merge is the default.
const (
	Merge      Policy = "merge"       // field-level three-way merge; same field changed on both sides: newer wins
	NewerWins  Policy = "newer-wins"  // the side changed last wins as a whole
	ServerWins Policy = "server-wins" // the server's version stays
	ClientWins Policy = "client-wins" // the device's change is applied
	Duplicate  Policy = "duplicate"   // both kept: the device's version becomes a marked copy
	ReadOnly   Policy = "read-only"   // device changes are refused; the server's version goes back
)

// Default is the policy when none is set.
const Default = Merge

// Policies lists every policy, the default first.
var Policies = []Policy{Merge, NewerWins, ServerWins, ClientWins, Duplicate, ReadOnly}

// ParsePolicy validates a policy name ("" gives the default).
func ParsePolicy(s string) (Policy, error) {
	if s == "" {
		return Default, nil
	}
	for _, p := range Policies {
		if string(p) == strings.ToLower(strings.TrimSpace(s)) {
			return p, nil
		}
	}
	names := make([]string, len(Policies))
	for i, p := range Policies {
		names[i] = string(p)
	}
	return "", fmt.Errorf("conflict: unknown policy %q (want one of %s)", s, strings.Join(names, ", "))
}

// SyncML status codes of conflict outcomes (OMA DS 1.2 Representation
// Protocol, Response Status Codes).
const (
	StatusApplied    = 200 // the device's change applied, no conflict left
	StatusMerged     = 207 // Conflict resolved with merge
	StatusClientWon  = 208 // Conflict resolved with client's command "winning"
	StatusDuplicated = 209 // Conflict resolved with duplicate
	StatusServerWon  = 419 // Conflict resolved with server data
)

// Rules is what decides a conflict: the policy and what happens when one
// side deleted an item the other side modified.
type Rules struct {
	Policy Policy `json:"policy"`
	// DeleteWins makes a deletion win over a modification; by default the
	// modified item survives (and returns to the deleting device).
	DeleteWins bool `json:"delete_wins,omitempty"`
}

func (r Rules) String() string {
	p := r.Policy
	if p == "" {
		p = Default
	}
	if r.DeleteWins {
		return string(p) + ", delete wins"
	}
	return string(p) + ", edit wins over delete"
}

// CopySuffix marks the copy a duplicate resolution creates.
const CopySuffix = " (conflict copy)"

// Version is one side's state of the item. Deleted versions have no data.
type Version struct {
	Deleted     bool
	ContentType string
	Data        []byte
	Modified    time.Time
}

// Outcome says what becomes of the item.
type Outcome int

// Outcomes.
const (
	TakeClient Outcome = iota // the device's version (or deletion) becomes the item's
	KeepServer                // the server's version (or deletion) stays and goes back to the device
	TakeMerged                // Resolution.Data (merged content) becomes the item's
	MakeCopy                  // the server's version stays; Resolution.Data is a new, marked item
)

func (o Outcome) String() string {
	switch o {
	case TakeClient:
		return "client"
	case KeepServer:
		return "server"
	case TakeMerged:
		return "merged"
	case MakeCopy:
		return "duplicate"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Resolution is the decision for one conflict.
type Resolution struct {
	Outcome Outcome
	// ContentType and Data: the merged content (TakeMerged) or the copy
	// (MakeCopy); empty otherwise.
	ContentType string
	Data        []byte
	// Status is the SyncML status for the device's command.
	Status int
}

// Resolve decides a conflict between the server's version and the device's
// (client) version of an item, given base, the version both last agreed on
// (nil when unknown). It is symmetric: swapping server and client (and the
// base's role) gives the mirrored outcome, except that ties in Modified go
// to the server. Under ReadOnly the server's state stays whatever it is.
func Resolve(r Rules, base *Version, server, client Version) Resolution {
	p := r.Policy
	if p == "" {
		p = Default
	}
	if p == ReadOnly {
		return Resolution{Outcome: KeepServer, Status: StatusServerWon}
	}
	serverNewer := !client.Modified.After(server.Modified) // ties: server
	switch {
	case client.Deleted && server.Deleted:
		return Resolution{Outcome: TakeClient, Status: StatusApplied}
	case client.Deleted:
		if r.DeleteWins {
			return Resolution{Outcome: TakeClient, Status: StatusClientWon}
		}
		return Resolution{Outcome: KeepServer, Status: StatusServerWon}
	case server.Deleted:
		if r.DeleteWins {
			return Resolution{Outcome: KeepServer, Status: StatusServerWon}
		}
		return Resolution{Outcome: TakeClient, Status: StatusClientWon}
	}
	switch p {
	case ServerWins:
		return Resolution{Outcome: KeepServer, Status: StatusServerWon}
	case ClientWins:
		return Resolution{Outcome: TakeClient, Status: StatusClientWon}
	case NewerWins:
		if serverNewer {
			return Resolution{Outcome: KeepServer, Status: StatusServerWon}
		}
		return Resolution{Outcome: TakeClient, Status: StatusClientWon}
	case Duplicate:
		ct, data := pim.MarkCopy(client.ContentType, client.Data, CopySuffix)
		return Resolution{Outcome: MakeCopy, ContentType: ct, Data: data, Status: StatusDuplicated}
	}
	var baseCT string
	var baseData []byte
	if base != nil && !base.Deleted {
		baseCT, baseData = base.ContentType, base.Data
	}
	ct, merged, err := pim.MergeTypes(baseCT, baseData, server.ContentType, server.Data, client.ContentType, client.Data, serverNewer)
	if err != nil {
		// Not mergeable (unknown or broken format): the newer side wins whole.
		if serverNewer {
			return Resolution{Outcome: KeepServer, Status: StatusServerWon}
		}
		return Resolution{Outcome: TakeClient, Status: StatusClientWon}
	}
	switch {
	case pim.Equivalent(ct, merged, client.ContentType, client.Data):
		return Resolution{Outcome: TakeClient, Status: StatusClientWon}
	case pim.Equivalent(ct, merged, server.ContentType, server.Data):
		return Resolution{Outcome: KeepServer, Status: StatusServerWon}
	}
	return Resolution{Outcome: TakeMerged, ContentType: ct, Data: merged, Status: StatusMerged}
}
