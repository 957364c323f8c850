package sqlstore

// PlannedQuery is a query of a sync's hot path with example arguments, for
// a backend's test that its plan uses indexes (EXPLAIN).
type PlannedQuery struct {
	Name  string
	Query string // as written here: rebind with the Dialect
	Args  []any
}

// HotQueries returns the queries whose cost must not grow with the size of
// a datastore. noLimit is the Dialect's NoLimit.
func HotQueries(noLimit any) []PlannedQuery {
	return []PlannedQuery{
		{"datastore id", qDatastoreID, []any{1, "contacts"}},
		{"Changes", qChanges, []any{1, 10, 20, "dev", "dev", noLimit}},
		{"Item", qItem, []any{1, "g"}},
		{"LiveItems", qLiveItems, []any{1, "g", 100}},
		{"UnconfirmedItems", qUnconfirmed, []any{1, "g", 1, "dev", "contacts", "s", 100}},
		{"UnconfirmedHeads", qUnconfirmedHeads, []any{1, "g", 1, "dev", "contacts", "s", 100}},
		{"FindTwins by UID", qTwinsByUID, []any{1, "u"}},
		{"FindTwins by match key", qTwinsByKey, []any{1, "k"}},
		{"Versions", qVersions, []any{1, "g"}},
		{"ConfirmedInSession", qConfirmed, []any{1, "dev", "contacts", "g", "s"}},
	}
}
