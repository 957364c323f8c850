-- 0025: the LUIDs of the older copies of a resent Add (resent_adds) a
-- device sent in a sync in which the server sends nothing, whose Deletes
-- go in its next sync in which the server sends its changes. A device
-- killed before its Map also in the one-way sync that sent the Add again
-- holds two such copies of one item, so they are rows of their own
-- rather than resent_adds.pending_luid, which they replace.
CREATE TABLE resent_older_luids (
	user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	device_id TEXT    NOT NULL,
	datastore TEXT    NOT NULL,
	guid      TEXT    NOT NULL,
	luid      TEXT    NOT NULL,
	PRIMARY KEY (user_id, device_id, datastore, guid, luid)
) STRICT;
INSERT INTO resent_older_luids (user_id, device_id, datastore, guid, luid)
	SELECT user_id, device_id, datastore, guid, pending_luid FROM resent_adds WHERE pending_luid <> '';
ALTER TABLE resent_adds DROP COLUMN pending_luid;
