package store

import "context"

// ResumeTx is what resuming an interrupted protocol session needs (OMA DS
// 1.2 Sync Protocol, suspend and resume): the device's earlier sessions,
// whose state holds where each datastore stopped, and the hand-over of
// what such a session confirmed to the session that resumes it.
type ResumeTx interface {
	// DeviceSessions returns the sessions of a user's device, newest
	// (by UpdatedAt) first, at most limit (0 = no limit).
	DeviceSessions(ctx context.Context, userID int64, deviceID string, limit int) ([]Session, error)
	// ResumeSession moves what session from confirmed of the partnership
	// to session to: its mappings (Mapping.Session) and its unacknowledged
	// Adds (UnackedAdd.Session). It returns how many rows it moved.
	ResumeSession(ctx context.Context, userID int64, deviceID, datastore, from, to string) (int, error)
}
