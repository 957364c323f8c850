package engine

import "strings"

// Datastore names. Every user has these four; clients address them by many
// names (see ResolveDatastore).
const (
	Contacts = "contacts"
	Calendar = "calendar"
	Tasks    = "tasks"
	Notes    = "notes"
)

// Datastores lists the canonical datastore names.
var Datastores = []string{Contacts, Calendar, Tasks, Notes}

// datastoreAliases maps the lower-cased names real clients use to the
// canonical datastore (SyncEvolution: addressbook/calendar/todo/memo;
// Funambol: card/cal/task/note; Nokia and others: contacts/events/...).
var datastoreAliases = map[string]string{
	"contacts": Contacts, "contact": Contacts, "addressbook": Contacts, "card": Contacts,
	"cards": Contacts, "vcard": Contacts, "scard": Contacts, "pab": Contacts,
	"calendar": Calendar, "cal": Calendar, "events": Calendar, "event": Calendar,
	"scal": Calendar, "vcalendar": Calendar,
	"tasks": Tasks, "task": Tasks, "todo": Tasks, "todos": Tasks, "stask": Tasks,
	"notes": Notes, "note": Notes, "memo": Notes, "memos": Notes, "snote": Notes,
}

// ResolveDatastore maps a client's datastore URI to a canonical name:
// case-insensitive, with or without a leading "./" or "/", and with any
// query string or trailing slash removed. ok is false for unknown names.
func ResolveDatastore(uri string) (name string, ok bool) {
	s := strings.TrimSpace(uri)
	if i := strings.IndexAny(s, "?;"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimPrefix(s, "./")
	s = strings.Trim(s, "/")
	if i := strings.LastIndex(s, "/"); i >= 0 { // a full URL or a path: use the last segment
		s = s[i+1:]
	}
	name, ok = datastoreAliases[strings.ToLower(s)]
	return name, ok
}

// defaultContentType is what a datastore stores and sends when nothing
// better is known.
func defaultContentType(ds string) string {
	switch ds {
	case Contacts:
		return "text/vcard"
	case Calendar, Tasks:
		return "text/calendar"
	default:
		return "text/plain"
	}
}

// DefaultContentType is what a datastore stores and sends when nothing
// better is known.
func DefaultContentType(ds string) string { return defaultContentType(ds) }
