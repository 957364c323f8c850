package store

import "context"

// ClientIDTx keeps the ClientIds of an ActiveSync device's Adds, per
// folder (MS-ASCMD 2.2.3.28.2): an Add re-sent with the same ClientId (its
// answer was lost) gets the ServerId it got first, so that it never makes
// a second item. A device may have uploaded thousands; a request reads
// only those it carries.
type ClientIDTx interface {
	// ClientIDs returns, by ClientId, those of the given ClientIds that
	// are recorded for the device's folder.
	ClientIDs(ctx context.Context, userID int64, deviceID, folder string, clientIDs []string) (map[string]ClientID, error)
	// DeviceClientIDs returns every ClientId recorded for the device,
	// ordered by folder and ClientId.
	DeviceClientIDs(ctx context.Context, userID int64, deviceID string) ([]ClientID, error)
	// PutClientIDs records several, each replacing the record of its
	// ClientId in its folder.
	PutClientIDs(ctx context.Context, ids []ClientID) error
	// ClearClientIDs forgets the ClientIds of the device's folder (of
	// every folder when folder is ""). It returns how many it forgot.
	ClearClientIDs(ctx context.Context, userID int64, deviceID, folder string) (int, error)
}

// ClientID is the ServerId an ActiveSync device's Add with a ClientId got.
type ClientID struct {
	UserID   int64
	DeviceID string
	Folder   string // the ActiveSync folder's ServerId
	ClientID string
	ServerID string
	// Sum is a digest of the content the Add carried ("" for none): the
	// same ClientId with other content is a change of the item.
	Sum string
}
